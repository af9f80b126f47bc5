// `npm run la -- train --collection NAME [--preset quick|standard|thorough] [--epochs E] [--finetune] [--inline]`:
// queues the chain train (or finetune) -> index -> cluster and waits for it with a progress bar on
// stderr. The running worker (`npm run worker`) runs it; --inline runs it in this process instead.
// Exits 1 if a job of the chain fails or is cancelled, 2 on bad arguments or settings.
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { env } from "@/lib/config/env";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { isTerminal, listJobs, type JobView } from "@/lib/jobs/job.service";
import { type PresetName, presetNames } from "@/lib/jobs/presets";
import { getTrainingSettings, startTraining } from "@/lib/jobs/training.service";
import { JobWorker } from "@/lib/jobs/worker";
import { logger } from "@/lib/log";
import { initBackend } from "@/lib/tf/backend";

const usage = `usage: npm run la -- train --collection NAME [--preset ${presetNames.join("|")}] [--epochs E] [--finetune] [--inline]`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { collection: { type: "string" }, preset: { type: "string" }, epochs: { type: "string" }, finetune: { type: "boolean" }, inline: { type: "boolean" } },
  });
  const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
  if (!values.collection || (values.preset && !presetNames.includes(values.preset as PresetName)) || (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1))) {
    console.error(usage);
    return 2;
  }
  const collection = await prisma.collection.findUnique({ where: { name: values.collection } });
  if (!collection) {
    console.error(`no collection named "${values.collection}"`);
    return 2;
  }
  let chain;
  try {
    chain = await startTraining(collection.id, { preset: values.preset as PresetName | undefined, epochs, finetune: values.finetune });
  } catch (e) {
    if (e instanceof AppError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const ids = chain.jobs.map((j) => j.id);
  const expected = (await getTrainingSettings(collection.id)).presets.find((p) => p.name === chain.preset);
  console.error(
    `model #${chain.modelId}: jobs ${chain.jobs.map((j) => `#${j.id} ${j.type}`).join(" -> ")}` +
      (expected ? ` (preset ${expected.name}: ${expected.epochs} epochs, about ${expected.expectedSeconds} s)` : ""),
  );
  if (!values.inline) {
    const seen = await prisma.worker.findFirst({ orderBy: { lastSeenAt: "desc" } });
    if (!seen || Date.now() - seen.lastSeenAt.getTime() > env().LA_WORKER_STALE_S * 1000) {
      console.error("no worker heartbeat recently: start one with `npm run worker` (the chain waits for it), or use --inline");
    }
  }
  const done = runInline(ids, values.inline === true);
  const jobs = await follow(collection.id, ids, done);
  const bad = jobs.filter((j) => j.status !== "succeeded");
  for (const j of jobs) console.error(`#${j.id} ${j.type}: ${j.status}${j.error ? ` (${j.error})` : ""}${j.resumedFromEpoch ? `, resumed from epoch ${j.resumedFromEpoch}` : ""}`);
  await prisma.$disconnect();
  return bad.length ? 1 : 0;
}

/** With --inline, a worker in this process runs only this chain; else the chain waits for `npm run worker`. */
function runInline(ids: number[], inline: boolean): Promise<void> | null {
  if (!inline) return null;
  return (async () => {
    const e = env();
    const log = logger.child({ ctx: "cli-inline" });
    const backend = await initBackend(e.LA_BACKEND);
    log.info({ backend: backend.name }, "TF.js backend");
    // Loaded here so that plain `la train` (waiting for a worker) never loads the training code.
    const { createJobRegistry } = await import("@/workers/handlers");
    const worker = new JobWorker({ id: `cli-${process.pid}`, registry: createJobRegistry(), log, leaseSeconds: e.LA_LEASE_S, heartbeatSeconds: e.LA_HEARTBEAT_S, pollMs: 200, backend: backend.name, filter: { ids } });
    process.once("SIGINT", () => worker.stop());
    const chainOver = async () => (await prisma.job.findMany({ where: { id: { in: ids } } })).every((j) => isTerminal(j.status));
    await worker.run(chainOver);
  })();
}

/** Polls the chain's jobs until all have ended, drawing one progress bar per job. */
async function follow(collectionId: number, ids: number[], inline: Promise<void> | null): Promise<JobView[]> {
  const bars = new cliProgress.MultiBar(
    { format: "{type} [{bar}] {percentage}% | {status} {detail}", stream: process.stderr, hideCursor: true, noTTYOutput: false, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const barOf = new Map<number, cliProgress.SingleBar>();
  let failure: unknown = null;
  inline?.catch((e) => (failure = e));
  for (;;) {
    const jobs = (await listJobs({ collectionId, limit: 200 })).filter((j) => ids.includes(j.id)).sort((a, b) => a.id - b.id);
    for (const j of jobs) {
      const bar = barOf.get(j.id) ?? bars.create(1000, 0, { type: j.type.padEnd(8) });
      barOf.set(j.id, bar);
      bar.update(Math.round(fraction(j) * 1000), { type: j.type.padEnd(8), status: j.status, detail: detail(j) });
    }
    if (failure) throw failure;
    if (jobs.every((j) => isTerminal(j.status))) {
      bars.stop();
      if (inline) await inline;
      return jobs;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function fraction(j: JobView): number {
  if (j.status === "succeeded") return 1;
  if (j.epochs && j.epoch) return Math.min(1, (j.epoch - 1 + (j.steps ? (j.step ?? 0) / j.steps : 0)) / j.epochs);
  return j.steps ? Math.min(1, (j.step ?? 0) / j.steps) : 0;
}

function detail(j: JobView): string {
  if (j.status !== "running") return j.error ?? "";
  const parts = [j.phase ?? ""];
  if (j.epochs) parts.push(`epoch ${j.epoch ?? 0}/${j.epochs}`);
  if (j.loss !== null) parts.push(`loss ${j.loss.toFixed(3)}`);
  if (j.imgPerSec !== null) parts.push(`${Math.round(j.imgPerSec)} img/s`);
  if (j.etaSeconds !== null) parts.push(`ETA ${Math.round(j.etaSeconds)} s`);
  return parts.join(" | ");
}

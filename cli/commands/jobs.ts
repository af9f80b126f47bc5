// `npm run la -- jobs [--collection NAME] [--json]`: lists jobs, newest first. With --json the last
// stdout line is a JSON array of { id, type, status, attempts, max_attempts, epoch, epochs,
// resumed_from_epoch, collection_id, model_id, error, created_at, finished_at }.
import { parseArgs } from "node:util";
import { prisma } from "@/lib/db/client";
import { listJobs } from "@/lib/jobs/job.service";

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { collection: { type: "string" }, json: { type: "boolean" }, limit: { type: "string" } } });
  let collectionId: number | undefined;
  if (values.collection) {
    const c = await prisma.collection.findUnique({ where: { name: values.collection } });
    if (!c) {
      console.error(`no collection named "${values.collection}"`);
      return 2;
    }
    collectionId = c.id;
  }
  const jobs = await listJobs({ collectionId, limit: Number(values.limit) || 100 });
  const rows = jobs.map((j) => ({
    id: j.id,
    type: j.type,
    status: j.status,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    epoch: j.epoch,
    epochs: j.epochs,
    resumed_from_epoch: j.resumedFromEpoch,
    collection_id: j.collectionId,
    model_id: j.modelId,
    error: j.error,
    created_at: j.createdAt,
    finished_at: j.finishedAt,
  }));
  if (!values.json) {
    const line = (cells: (string | number | null)[]) => cells.map((c, i) => String(c ?? "–").padEnd([6, 13, 10, 9, 9, 8][i] ?? 0)).join(" ");
    console.log(line(["id", "type", "status", "attempts", "epoch", "resumed", "error"]));
    for (const r of rows) console.log(line([r.id, r.type, r.status, `${r.attempts}/${r.max_attempts}`, r.epochs ? `${r.epoch ?? 0}/${r.epochs}` : null, r.resumed_from_epoch, r.error]));
  } else console.log(JSON.stringify(rows));
  await prisma.$disconnect();
  return 0;
}

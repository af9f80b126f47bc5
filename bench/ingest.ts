/**
 * `npm run bench -- ingest [--json] [--count 40] [--size 4032x3024] [--concurrency 2] [--ingest-concurrency N] [--rounds 2]`
 * (--concurrency: bare sharp's files in flight; --ingest-concurrency: the session's, default 6 with 2 decoding)
 *
 * Images per second of the whole ingest pipeline (lib/images IngestSession: sniff, hash, header,
 * one decode into the preview, thumbnail + model pixels, three fsynced files, the row's transaction)
 * next to bare sharp decode + resize (to the same 256 px preview, raw output) of the same files, in the
 * same run, both with `concurrency` files in flight. The files are generated phone-photo-sized JPEGs
 * (noise over gradients, so they do not compress trivially), cached in bench/out/. Each measurement is
 * repeated `rounds` times, alternating, and the best round counts. Runs in a temporary data directory.
 * With --json the last line is one JSON object with ingest_img_per_s and sharp_img_per_s.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";

async function generate(dir: string, count: number, width: number, height: number): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `photo-${i}.jpg`);
    files.push(file);
    if (fs.existsSync(file)) continue;
    // A smooth gradient (different per image) plus coarse noise, like a busy phone photo.
    const small = 256;
    const base = Buffer.alloc(small * small * 3);
    for (let y = 0; y < small; y++) {
      for (let x = 0; x < small; x++) {
        const o = (y * small + x) * 3;
        base[o] = (x + i * 37) & 255;
        base[o + 1] = (y + i * 59) & 255;
        base[o + 2] = ((x + y) / 2 + i * 11) & 255;
      }
    }
    const noise = await sharp({ create: { width, height, channels: 3, background: "#000", noise: { type: "gaussian", mean: 0, sigma: 30 } } }).raw().toBuffer();
    const gradient = await sharp(base, { raw: { width: small, height: small, channels: 3 } }).resize(width, height).raw().toBuffer();
    for (let k = 0; k < gradient.length; k++) gradient[k] = Math.max(0, Math.min(255, gradient[k] + noise[k] - 64));
    await sharp(gradient, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).withMetadata({ orientation: 1 }).toFile(file);
  }
  return files;
}

/** Images per second (wall) and CPU milliseconds per image (all threads; robust to a busy machine). */
async function timed(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<{ rate: number; cpuMs: number }> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
  const used = process.cpuUsage(cpu);
  return { rate: n / (Number(process.hrtime.bigint() - start) / 1e9), cpuMs: (used.user + used.system) / 1000 / n };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean" },
      count: { type: "string", default: "40" },
      size: { type: "string", default: "4032x3024" },
      concurrency: { type: "string", default: "2" },
      "ingest-concurrency": { type: "string" },
      rounds: { type: "string", default: "2" },
    },
  });
  const count = Number(values.count);
  const [width, height] = values.size!.split("x").map(Number);
  const concurrency = Number(values.concurrency);
  // Ingest waits on fsyncs and the row's commit too, so it may keep more files in flight than bare decoding.
  const ingestConcurrency = Number(values["ingest-concurrency"] ?? 0) || undefined;
  const rounds = Number(values.rounds);
  const log = (s: string) => (values.json ? process.stderr : process.stdout).write(`${s}\n`);

  // A throw-away data directory, migrated, set before lib/ opens the database.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "la-bench-ingest-"));
  process.env.LA_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  process.env.LOG_LEVEL ??= "warn";
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], { env: { ...process.env, CHECKPOINT_DISABLE: "1" }, stdio: "pipe" });
  const { createCollection } = await import("../lib/collections/collections.service");
  const { IngestSession } = await import("../lib/images/ingest.service");
  const { prisma } = await import("../lib/db/client");

  try {
    log(`generating ${count} JPEGs of ${width}x${height} (cached in bench/out/) ...`);
    const files = await generate(path.join("bench/out", `ingest-${width}x${height}`), count, width, height);
    const bytes = files.map((f) => fs.readFileSync(f));
    const mb = bytes.reduce((s, b) => s + b.length, 0) / 1e6;
    log(`${count} files, ${mb.toFixed(1)} MB; sharp concurrency ${sharp.concurrency()}, ${concurrency} files in flight for sharp, ${ingestConcurrency ?? "default"} for ingest; load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

    const sharpRuns: { rate: number; cpuMs: number }[] = [];
    const ingestRuns: { rate: number; cpuMs: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      sharpRuns.push(
        await timed(count, concurrency, (i) =>
          sharp(bytes[i]).rotate().resize(256, 256, { fit: "outside", withoutEnlargement: true }).raw().toBuffer(),
        ),
      );
      const c = await createCollection({ name: `bench-${r}` });
      const session = await IngestSession.open(c.id, ingestConcurrency ? { concurrency: ingestConcurrency } : {});
      ingestRuns.push(
        await timed(count, 1, async (i) => {
          await session.add({ name: path.basename(files[i]), bytes: bytes[i] });
          if (i === count - 1) await session.finish();
        }),
      );
      const summary = await session.finish();
      if (summary.stored !== count) throw new Error(`expected ${count} stored, got ${JSON.stringify(summary.files.filter((f) => f.outcome !== "stored"))}`);
      log(
        `round ${r + 1}: sharp ${sharpRuns[r].rate.toFixed(2)} img/s (${sharpRuns[r].cpuMs.toFixed(1)} ms CPU/img), ` +
          `ingest ${ingestRuns[r].rate.toFixed(2)} img/s (${ingestRuns[r].cpuMs.toFixed(1)} ms CPU/img)`,
      );
    }
    const best = (runs: { rate: number }[]) => Math.max(...runs.map((x) => x.rate));
    const leastCpu = (runs: { cpuMs: number }[]) => Math.min(...runs.map((x) => x.cpuMs));
    const result = {
      ingest_img_per_s: Number(best(ingestRuns).toFixed(2)),
      sharp_img_per_s: Number(best(sharpRuns).toFixed(2)),
      ratio: Number((best(ingestRuns) / best(sharpRuns)).toFixed(3)),
      ingest_cpu_ms_per_img: Number(leastCpu(ingestRuns).toFixed(1)),
      sharp_cpu_ms_per_img: Number(leastCpu(sharpRuns).toFixed(1)),
      count,
      size: `${width}x${height}`,
      concurrency,
      ingest_concurrency: ingestConcurrency ?? "default",
      loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
    };
    log(`best: ingest ${result.ingest_img_per_s} img/s, bare sharp ${result.sharp_img_per_s} img/s, ratio ${result.ratio}`);
    if (values.json) console.log(JSON.stringify(result));
    return 0;
  } finally {
    await prisma.$disconnect();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

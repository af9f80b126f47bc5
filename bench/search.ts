/**
 * `npm run bench -- search [--json] [--n 100000] [--seconds 10] [--skip-http]`: search latency.
 *
 * In process: an index of n random unit vectors (128-d) built as the service builds it (flat below
 * LA_IVF_THRESHOLD, IVF at and above it, LA_IVF_NPROBE), then p50/p99 of single queries and of batches,
 * queried with stored vectors (what search by image does), with recall against an exact flat scan.
 * HTTP: the same index as a seeded collection's active model in a temp data dir, a real `next start` on
 * loopback (the build in NEXT_DIST_DIR, default .next), and autocannon with 32 clients POSTing
 * { imageId, k: 10 } to the search endpoint.
 * With --json the last line is one JSON object (inproc_p50_ms, inproc_p99_ms, http_p50_ms, http_p99_ms, http_rps).
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { createPrisma } from "@/lib/db/client";
import { indexOptions, VectorIndex } from "@/lib/vector";

const DIM = 128;

/** n unit rows from a seeded xorshift generator (Gaussian by Box-Muller, so directions are uniform). */
export function randomUnitRows(n: number, dim: number, seed = 42): Float32Array {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const g = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      out[i * dim + j] = g;
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[i * dim + j] /= norm;
  }
  return out;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function timeEach(count: number, fn: (i: number) => void): { p50: number; p99: number } {
  for (let i = 0; i < Math.min(50, count); i++) fn(i);
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

const fmt = (x: number) => x.toFixed(3);

/**
 * n unit vectors in m groups (cosine to their group centre about 0.7): closer to real embeddings
 * than uniform random directions, where every neighbour is about equally far and IVF recall is worst.
 */
function clusteredUnitRows(n: number, dim: number, m: number): Float32Array {
  const centres = randomUnitRows(m, dim, 7);
  const noise = randomUnitRows(n, dim, 8);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = (i * 7919) % m;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = centres[c * dim + j] + noise[i * dim + j];
      out[i * dim + j] = v;
      norm += v * v;
    }
    for (let j = 0; j < dim; j++) out[i * dim + j] /= Math.sqrt(norm);
  }
  return out;
}

/** Share of the exact top 10 that the index finds, over `checks` stored vectors as queries. */
function recallAt10(index: VectorIndex, flat: VectorIndex, ids: number[], checks = 200): number {
  let found = 0;
  for (let i = 0; i < checks; i++) {
    const q = index.vectorOf(ids[(i * 7919) % ids.length])!;
    const exact = new Set(flat.search(q, { k: 10 })[0].map((h) => h.imageId));
    found += index.search(q, { k: 10 })[0].filter((h) => exact.has(h.imageId)).length;
  }
  return found / (10 * checks);
}

interface InprocResult {
  index: VectorIndex;
  kind: string;
  single: { p50: number; p99: number };
  batch: { size: number; p50: number; p99: number };
  flatSingle: { p50: number; p99: number };
  recallAt10: number;
  clusteredRecallAt10: number;
  selfAt1: number;
  buildMs: number;
}

function runInproc(n: number, vectors: Float32Array, ids: number[]): InprocResult {
  const opts = indexOptions();
  let t = performance.now();
  const index = VectorIndex.build(vectors, ids, DIM, opts);
  const buildMs = performance.now() - t;
  const query = (i: number) => index.vectorOf(ids[(i * 7919) % n])!;
  const single = timeEach(2000, (i) => index.search(query(i), { k: 10 }));
  const batchSize = 32;
  const batchQueries = (i: number) => {
    const q = new Float32Array(batchSize * DIM);
    for (let b = 0; b < batchSize; b++) q.set(query(i * batchSize + b), b * DIM);
    return q;
  };
  const batches = Array.from({ length: 100 }, (_, i) => batchQueries(i));
  const batch = timeEach(100, (i) => index.search(batches[i], { k: 10 }));

  t = performance.now();
  const flat = VectorIndex.build(vectors, ids, DIM, { ...opts, ivfThreshold: Number.MAX_SAFE_INTEGER });
  const flatBuildMs = performance.now() - t;
  const flatSingle = timeEach(100, (i) => flat.search(query(i), { k: 10 }));
  let self = 0;
  for (let i = 0; i < 200; i++) if (index.search(query(i), { k: 1 })[0][0]?.imageId === ids[(i * 7919) % n]) self++;
  const recall = recallAt10(index, flat, ids);
  const clustered = clusteredUnitRows(n, DIM, 1000);
  const clusteredRecall = recallAt10(VectorIndex.build(clustered, ids, DIM, opts), VectorIndex.build(clustered, ids, DIM, { ...opts, ivfThreshold: Number.MAX_SAFE_INTEGER }), ids);
  console.log(`flat reference: built in ${flatBuildMs.toFixed(0)} ms`);
  return { index, kind: index.kind, single, batch: { size: batchSize, ...batch }, flatSingle, recallAt10: recall, clusteredRecallAt10: clusteredRecall, selfAt1: self / 200, buildMs };
}

interface HttpResult {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  non2xx: number;
  /** CPU the server used per request (user + system), independent of how busy the machine is. */
  serverCpuMsPerRequest: number;
  /** The same numbers for a request that does no work (405 from the same route). */
  floor: { p50: number; p99: number; rps: number; cpuMsPerRequest: number };
}

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A temp data dir with a migrated database, one collection of n images, its active model and the index. */
async function seedDataDir(index: VectorIndex, n: number): Promise<{ dir: string; collectionId: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "la-bench-search-"));
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, LA_DATA_DIR: dir, DATABASE_URL: "", CHECKPOINT_DISABLE: "1" },
    stdio: "pipe",
  });
  const prisma = createPrisma(`file:${path.join(dir, "la.db")}`);
  try {
    const collection = await prisma.collection.create({ data: { name: "bench", settings: {} } });
    // A fresh database numbers the images 1..n, the ids the in-process index was built with.
    for (let start = 0; start < n; start += 2000) {
      const data = Array.from({ length: Math.min(2000, n - start) }, (_, i) => {
        const hash = (start + i).toString(16).padStart(64, "0");
        return { collectionId: collection.id, contentHash: hash, originalName: `${start + i}.png`, mimeType: "image/png", width: 32, height: 32, byteSize: 1, originalKey: `x/${hash}`, thumbKey: `t/${hash}` };
      });
      await prisma.image.createMany({ data });
    }
    const last = await prisma.image.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
    if (last?.id !== n) throw new Error(`expected image ids 1..${n}, the last is ${last?.id}`);
    const model = await prisma.model.create({ data: { collectionId: collection.id, status: "ready", config: {}, imageCount: n } });
    await index.save(model.id, dir);
    await prisma.collection.update({ where: { id: collection.id }, data: { activeModelId: model.id } });
    return { dir, collectionId: collection.id };
  } finally {
    await prisma.$disconnect();
  }
}

async function runHttp(index: VectorIndex, n: number, seconds: number, connections: number): Promise<HttpResult> {
  const { dir, collectionId } = await seedDataDir(index, n);
  const port = await freePort();
  const server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, NODE_ENV: "production", LA_DATA_DIR: dir, DATABASE_URL: "", LOG_LEVEL: "warn", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    const searchPath = `/api/collections/${collectionId}/search`;
    const body = (imageId: number) => JSON.stringify({ imageId, k: 10 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode} (built? NEXT_DIST_DIR=${process.env.NEXT_DIST_DIR ?? ".next"})`);
      const res = await fetch(url + searchPath, { method: "POST", headers: { "content-type": "application/json" }, body: body(1) }).catch(() => null);
      if (res?.ok) break;
      if (res && res.status !== 409) throw new Error(`warm-up search answered ${res.status}: ${await res.text()}`);
      if (Date.now() > deadline) throw new Error("the server did not answer a search within 60 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    // Warm the route (JIT, lazily loaded modules) before measuring.
    await autocannon({ url: url + searchPath, connections, duration: 2, method: "POST", headers: { "content-type": "application/json" }, body: body(1) });
    let i = 0;
    const cpuBefore = cpuMs(server.pid!);
    const result = await autocannon({
      url,
      connections,
      duration: seconds,
      requests: [
        {
          method: "POST",
          path: searchPath,
          headers: { "content-type": "application/json" },
          setupRequest: (req) => ({ ...req, body: body(((i++ * 7919) % n) + 1) }),
        },
      ],
    });
    const serverCpuMsPerRequest = (cpuMs(server.pid!) - cpuBefore) / result.requests.total;
    // The framework's floor on this machine now: the same route answering 405 (GET has no handler).
    const floorBefore = cpuMs(server.pid!);
    const floor = await autocannon({ url: url + searchPath, connections, duration: 3 });
    const floorCpuMsPerRequest = (cpuMs(server.pid!) - floorBefore) / floor.requests.total;
    return {
      p50: result.latency.p50,
      p99: result.latency.p99,
      rps: result.requests.average,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      serverCpuMsPerRequest,
      floor: { p50: floor.latency.p50, p99: floor.latency.p99, rps: floor.requests.average, cpuMsPerRequest: floorCpuMsPerRequest },
    };
  } finally {
    server.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean", default: false },
      n: { type: "string", default: "100000" },
      seconds: { type: "string", default: "10" },
      "skip-http": { type: "boolean", default: false },
    },
  });
  const n = Number(values.n);
  const opts = indexOptions();
  console.log(`search bench: n=${n} d=${DIM}, LA_IVF_THRESHOLD=${opts.ivfThreshold}, LA_IVF_NPROBE=${opts.nprobe}, ` +
    `LA_FAISS_THREADS=${process.env.LA_FAISS_THREADS || 1}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const vectors = randomUnitRows(n, DIM);
  const ids = Array.from({ length: n }, (_, i) => i + 1);

  const r = runInproc(n, vectors, ids);
  console.log(`in process (${r.kind}, built in ${r.buildMs.toFixed(0)} ms): single query p50 ${fmt(r.single.p50)} ms, p99 ${fmt(r.single.p99)} ms; ` +
    `batch of ${r.batch.size} p50 ${fmt(r.batch.p50)} ms (${fmt(r.batch.p50 / r.batch.size)} ms/query), p99 ${fmt(r.batch.p99)} ms`);
  console.log(`exact flat single query for reference: p50 ${fmt(r.flatSingle.p50)} ms, p99 ${fmt(r.flatSingle.p99)} ms; ` +
    `${r.kind} recall@10 vs flat ${r.recallAt10.toFixed(3)} on uniform random vectors (the worst case), ` +
    `${r.clusteredRecallAt10.toFixed(3)} on 1000 groups; query image first ${r.selfAt1.toFixed(3)}`);

  const result: Record<string, number | string | null> = {
    n,
    index_kind: r.kind,
    nprobe: opts.nprobe,
    inproc_p50_ms: r.single.p50,
    inproc_p99_ms: r.single.p99,
    inproc_batch_size: r.batch.size,
    inproc_batch_p50_ms: r.batch.p50,
    inproc_batch_p99_ms: r.batch.p99,
    flat_p50_ms: r.flatSingle.p50,
    flat_p99_ms: r.flatSingle.p99,
    recall_at_10: r.recallAt10,
    recall_at_10_clustered: r.clusteredRecallAt10,
    http_p50_ms: null,
    http_p99_ms: null,
    http_rps: null,
  };
  if (!values["skip-http"]) {
    const h = await runHttp(r.index, n, Number(values.seconds), 32);
    console.log(`HTTP search by imageId, 32 clients, ${values.seconds} s: p50 ${h.p50} ms, p99 ${h.p99} ms, ${h.rps.toFixed(0)} requests/s, ` +
      `${h.errors} errors, ${h.non2xx} non-2xx; server CPU ${h.serverCpuMsPerRequest.toFixed(2)} ms per request`);
    console.log(`  framework floor (GET on the same route, 405): p50 ${h.floor.p50} ms, p99 ${h.floor.p99} ms, ${h.floor.rps.toFixed(0)} requests/s, ` +
      `server CPU ${h.floor.cpuMsPerRequest.toFixed(2)} ms per request`);
    Object.assign(result, { http_floor_rps: h.floor.rps, http_floor_cpu_ms_per_request: h.floor.cpuMsPerRequest });
    Object.assign(result, { http_p50_ms: h.p50, http_p99_ms: h.p99, http_rps: h.rps, http_failed: h.errors + h.non2xx, server_cpu_ms_per_request: h.serverCpuMsPerRequest });
  }
  console.log(`load after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  if (values.json) console.log(JSON.stringify(result));
  return 0;
}

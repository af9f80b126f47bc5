import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startTraining } from "@/lib/jobs/training.service";
import { indexOptions, VectorIndex } from "@/lib/vector";
import { startServer, type RunningServer } from "../../helpers/server";
import { noiseJpeg, pngBomb } from "../ingest/fixtures";
import { createFashionCollection } from "../worker/fixtures";
import { spawnWorker, waitFor, type WorkerProcess } from "../worker/helpers";

// Search over HTTP, by image and by upload, from four clients in a loop while the real worker trains a
// new model of the same collection, indexes it and swaps it in. Tiny settings: the machine has two cores.
const N = 200;
const K = 10;
const SETTINGS = { batchSize: 50, warmupEpochs: 1, m: 10, kBg: 80, clusterings: 2 };
const CLIENTS = 4;

interface Sample {
  kind: "image" | "upload";
  startedAt: number;
  endedAt: number;
  status: number;
  modelId?: number;
  problem: string | null;
}

interface SearchBody {
  collectionId: number;
  modelId: number;
  query: { imageId?: number; upload?: boolean };
  k: number;
  results: { imageId: number; score: number; thumbnailUrl: string; clusters: unknown[] }[];
  timings: { embedMs: number | null; searchMs: number };
}

/** Why a 200 answer is not a well-formed search result, or null. */
function problemOf(b: SearchBody, collectionId: number, ids: Set<number>, query: number | null): string | null {
  if (b.collectionId !== collectionId || b.k !== K || !Number.isInteger(b.modelId)) return `bad header ${JSON.stringify({ ...b, results: undefined })}`;
  if (b.results.length !== K) return `${b.results.length} results`;
  if (new Set(b.results.map((r) => r.imageId)).size !== K) return "repeated images";
  for (const [i, r] of b.results.entries()) {
    if (!ids.has(r.imageId) || r.imageId === query) return `result ${r.imageId} is not another image of the collection`;
    if (!(Math.abs(r.score) <= 1 + 1e-4) || (i > 0 && r.score > b.results[i - 1].score + 1e-6)) return `scores ${b.results.map((x) => x.score)}`;
    if (r.thumbnailUrl !== `/api/images/${r.imageId}/thumb` || !Array.isArray(r.clusters)) return `result ${JSON.stringify(r)}`;
  }
  const embedded = query === null ? typeof b.timings.embedMs === "number" && b.query.upload === true : b.timings.embedMs === null && b.query.imageId === query;
  return embedded && typeof b.timings.searchMs === "number" ? null : `query ${JSON.stringify(b.query)} timings ${JSON.stringify(b.timings)}`;
}

const chainDone = (ids: number[]) =>
  waitFor(async () => {
    const rows = await prisma.job.findMany({ where: { id: { in: ids } } });
    if (rows.some((r) => r.status === "failed" || r.status === "cancelled")) throw new Error(`chain ended badly: ${JSON.stringify(rows.map((r) => [r.type, r.status, r.error]))}`);
    return rows.every((r) => r.status === "succeeded");
  }, "the training chain to finish", 90_000, 200);

describe("search under load while the worker trains and swaps in a new model", () => {
  let server: RunningServer;
  let worker: WorkerProcess;
  let collectionId: number;
  let imageIds: number[];
  let firstModelId: number;
  let queries: Buffer[];

  beforeAll(async () => {
    const collection = await createFashionCollection("fashion-load", N, SETTINGS);
    collectionId = collection.id;
    imageIds = (await prisma.image.findMany({ where: { collectionId }, select: { id: true }, orderBy: { id: "asc" } })).map((r) => r.id);
    worker = spawnWorker("search-load-worker", { LA_TRAIN_THREADS: "1" });
    const first = await startTraining(collectionId, { epochs: 1 });
    firstModelId = first.modelId;
    [server] = await Promise.all([startServer(), chainDone(first.jobs.map((j) => j.id))]);
    queries = await Promise.all([1, 2, 3].map((s) => noiseJpeg(40 + 8 * s, 40, 300 + s)));
  });
  afterAll(async () => {
    await Promise.all([worker?.stop("SIGKILL"), server?.stop()]);
    await prisma.$disconnect();
  });

  async function search(kind: Sample["kind"], i: number): Promise<Sample & { body?: SearchBody }> {
    const startedAt = performance.now();
    const url = `${server.url}/api/collections/${collectionId}/search`;
    const query = kind === "image" ? imageIds[(i * 37) % N] : null;
    let res: Response;
    if (query !== null) {
      res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ imageId: query, k: K }) });
    } else {
      const form = new FormData();
      form.set("image", new Blob([new Uint8Array(queries[i % queries.length])]), "query.jpg");
      form.set("k", String(K));
      res = await fetch(url, { method: "POST", body: form });
    }
    const body = (await res.json()) as SearchBody;
    const problem = res.status === 200 ? problemOf(body, collectionId, new Set(imageIds), query) : `status ${res.status}: ${JSON.stringify(body)}`;
    return { kind, startedAt, endedAt: performance.now(), status: res.status, modelId: body.modelId, problem, body };
  }

  it("should answer every search with well-formed results throughout, then from the new model", { timeout: 120_000 }, async () => {
    expect((await search("image", 0)).modelId).toBe(firstModelId);
    expect((await search("upload", 0)).modelId).toBe(firstModelId); // the web process has loaded the encoder

    const res = await fetch(`${server.url}/api/collections/${collectionId}/train`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ epochs: 2 }),
    });
    expect(res.status).toBe(202);
    const chain = (await res.json()) as { modelId: number; jobs: { id: number }[] };
    const t0 = performance.now();

    const samples: Sample[] = [];
    let stop = false;
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; !stop; i += CLIENTS) {
        const { body: _body, ...s } = await search(c % 2 ? "upload" : "image", i);
        samples.push(s);
      }
    });
    await chainDone(chain.jobs.map((j) => j.id));
    const chainSeconds = (performance.now() - t0) / 1000;
    const swappedBy = await waitFor(async () => samples.find((s) => s.modelId === chain.modelId), "a search answered by the new model", 5000, 50);
    const settled = samples.length;
    await waitFor(async () => samples.length >= settled + 20, "20 more searches", 20_000, 50);
    stop = true;
    await Promise.all(clients);

    const ms = samples.map((s) => s.endedAt - s.startedAt).sort((a, b) => a - b);
    console.log(
      `${samples.length} searches during a ${chainSeconds.toFixed(1)} s train -> index -> cluster chain ` +
        `(${(samples.length / ((performance.now() - t0) / 1000)).toFixed(1)}/s, p50 ${ms[ms.length >> 1].toFixed(0)} ms, p95 ${ms[Math.floor(ms.length * 0.95)].toFixed(0)} ms)`,
    );
    expect(samples.filter((s) => s.status !== 200 || s.problem)).toEqual([]);
    expect(new Set(samples.map((s) => s.modelId))).toEqual(new Set([firstModelId, chain.modelId]));
    expect(samples.filter((s) => s.modelId === firstModelId).length).toBeGreaterThan(CLIENTS);
    // once a search has been answered by the new model, every search started later is too
    expect(samples.filter((s) => s.startedAt > swappedBy.endedAt && s.modelId !== chain.modelId)).toEqual([]);
    expect(samples.filter((s) => s.startedAt > swappedBy.endedAt).map((s) => s.kind)).toEqual(expect.arrayContaining(["image", "upload"]));
  });

  it("should give the new model's own neighbours, as its index on disk says", async () => {
    const { activeModelId } = await prisma.collection.findUniqueOrThrow({ where: { id: collectionId } });
    expect(activeModelId).not.toBe(firstModelId);
    const index = await VectorIndex.load(activeModelId!, indexOptions());
    for (const i of [0, 5, 17]) {
      const answer = await search("image", i);
      const query = imageIds[(i * 37) % N];
      const [hits] = index.search(index.vectorOf(query)!, { k: K, excludeImageId: query });
      expect(answer.body!.modelId).toBe(activeModelId);
      expect(answer.body!.results.map((r) => r.imageId)).toEqual(hits.map((h) => h.imageId));
    }
  });

  it("should refuse a decompression bomb sent to search (413) before decoding it", async () => {
    const form = new FormData();
    form.set("image", new Blob([new Uint8Array(pngBomb(60_000, 60_000))]), "bomb.png");
    const res = await fetch(`${server.url}/api/collections/${collectionId}/search`, { method: "POST", body: form });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/60000x60000 .*more than the limit of 100\.0 megapixels/);
  });
});

/**
 * The cluster step of a model (after its index): multi-scale k-means on the final embeddings, soft
 * memberships, representatives, stability, agreement with labels, the 2-D map and the density
 * diagnostic. Reads the embeddings from the model's index files (lib/vector), replaces the model's
 * Clustering / Cluster / Membership rows in one transaction and writes models/<id>/map.bin,
 * models/<id>/density.json and models/<id>/duplicates.json (near-duplicates inside the finest scale).
 *
 * Per scale (m clusters): `seeds` k-means runs with seeds seed+h (lib/la kmeans, Lloyd, 20 iterations);
 * the run with the lowest inertia (sum of squared distances to its centroids) is kept and the others
 * measure its stability (stability.ts). Cluster indices are renumbered by size, largest first; a
 * cluster left without members once images go to their most similar unit centroid is dropped.
 */
import { Prisma } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { writeTransaction } from "@/lib/db/transaction";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { densityDiagnostic } from "@/lib/la/density";
import { kmeans } from "@/lib/la/kmeans";
import { env } from "@/lib/config/env";
import { VectorIndex } from "@/lib/vector";
import { carryNames, type NamedCluster } from "./carry-names";
import { clusterOptions, resolveScales, type ClusterOptions, type Scale } from "./config";
import { writeDensity, type ModelDensity } from "./density-file";
import { calibrateDuplicateThreshold, findNearDuplicates, writeDuplicates } from "./duplicates";
import { computePcaLayout, computeUmapLayout, type LayoutMethod, type Neighbours } from "./layout";
import { writeMap } from "./map-file";
import { computeSoftMemberships, normalizeRows, type SoftMemberships } from "./membership";
import { computeAgreement, type Agreement } from "./quality";
import { computeStability, meanStability } from "./stability";

export interface ClusteringMetrics {
  meanStability: number;
  /** Against Image.label, over the labelled images (absent without at least two labels). */
  purity?: number;
  nmi?: number;
  labelled?: number;
  /** k-means on raw pixels of the same images (set by `npm run la -- clusters`). */
  rawPurity?: number;
  rawNmi?: number;
  inertia: number;
  seeds: number;
  tau: number;
  seconds: number;
}

export interface ClusteringSummary {
  modelId: number;
  n: number;
  /** True when shouldStop() ended the step early; nothing was written then. */
  stopped: boolean;
  scales: ({ scale: string; m: number; clusteringId: number; carriedNames: number } & ClusteringMetrics)[];
  map: { method: LayoutMethod; seconds: number } | null;
  nearDuplicates: { groups: number; pairs: number; threshold: number } | null;
  seconds: number;
}

export interface ComputeOptions {
  onProgress?(fraction: number, phase: string): void;
  shouldStop?(): boolean;
  options?: Partial<ClusterOptions>;
}

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

interface Embeddings {
  ids: number[];
  labels: (string | null)[];
  data: Float32Array;
  d: number;
  index: VectorIndex;
}

/** The indexed images of the model's collection, in id order, with their stored vectors. */
async function loadEmbeddings(modelId: number, collectionId: number): Promise<Embeddings> {
  const index = await VectorIndex.load(modelId, { nprobe: env().LA_IVF_NPROBE });
  const images = await prisma.image.findMany({ where: { collectionId }, select: { id: true, label: true }, orderBy: { id: "asc" } });
  const kept = images.filter((im) => index.has(im.id));
  const d = index.dim;
  const data = new Float32Array(kept.length * d);
  kept.forEach((im, i) => data.set(index.vectorOf(im.id)!, i * d));
  return { ids: kept.map((im) => im.id), labels: kept.map((im) => im.label), data, d, index };
}

/** Labels as integers, over the labelled images only. */
function labelIds(labels: (string | null)[]): { positions: number[]; ids: Int32Array } | null {
  const codes = new Map<string, number>();
  const positions: number[] = [];
  const ids: number[] = [];
  labels.forEach((l, i) => {
    if (l === null) return;
    if (!codes.has(l)) codes.set(l, codes.size);
    positions.push(i);
    ids.push(codes.get(l)!);
  });
  return codes.size >= 2 ? { positions, ids: Int32Array.from(ids) } : null;
}

/** Agreement of a labelling with the labels of the labelled images. */
export function agreementWithLabels(clusterOf: Int32Array, labels: (string | null)[]): Agreement | null {
  const l = labelIds(labels);
  return l && computeAgreement(Int32Array.from(l.positions, (p) => clusterOf[p]), l.ids);
}

function inertia(data: Float32Array, d: number, labels: Int32Array, centroids: Float32Array): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] * d;
    for (let k = 0; k < d; k++) s += (data[i * d + k] - centroids[c + k]) ** 2;
  }
  return s;
}

interface ScaleResult {
  scale: Scale;
  seed: number;
  /** Unit centroids of the kept clusters, [m, d], index = new cluster index. */
  centroids: Float32Array;
  m: number;
  sizes: number[];
  stability: Float64Array;
  representatives: number[][];
  /** Hard cluster per image (new indices). */
  hard: Int32Array;
  soft: SoftMemberships;
  metrics: ClusteringMetrics;
}

async function clusterScale(e: Embeddings, scale: Scale, o: ClusterOptions, progress: (part: number, phase: string) => void, stop: () => boolean): Promise<ScaleResult | null> {
  const t0 = performance.now();
  const n = e.ids.length;
  const runs: { labels: Int32Array; centroids: Float32Array; inertia: number; seed: number }[] = [];
  for (let h = 0; h < o.seeds; h++) {
    if (stop()) return null;
    progress(h / (o.seeds + 1), `k-means ${scale.name} (m=${scale.m}) run ${h + 1}/${o.seeds}`);
    const seed = o.seed + h;
    const r = kmeans(e.data, n, e.d, { m: scale.m, seed, iterations: o.iterations });
    runs.push({ ...r, inertia: inertia(e.data, e.d, r.labels, r.centroids), seed });
    // One k-means call holds the thread; between calls the worker's heartbeat and progress timers run.
    await yieldToEventLoop();
  }
  progress(o.seeds / (o.seeds + 1), `memberships ${scale.name}`);
  const best = runs.reduce((a, b) => (b.inertia < a.inertia ? b : a));
  const unit = normalizeRows(best.centroids, scale.m, e.d);
  const raw = computeSoftMemberships(e.data, n, e.d, unit, scale.m, o);
  const k = raw.topK;
  // Renumber by size (largest first), dropping clusters no image has as its strongest.
  const counts = new Array<number>(scale.m).fill(0);
  for (let i = 0; i < n; i++) counts[raw.clusters[i * k]]++;
  const order = counts.map((_, c) => c).filter((c) => counts[c] > 0).sort((a, b) => counts[b] - counts[a] || a - b);
  const renumber = new Int32Array(scale.m).fill(-1);
  order.forEach((c, j) => (renumber[c] = j));
  const m = order.length;
  const soft: SoftMemberships = { ...raw, clusters: raw.clusters.map((c) => (c < 0 ? -1 : renumber[c])) };
  const hard = Int32Array.from({ length: n }, (_, i) => soft.clusters[i * k]);
  const centroids = new Float32Array(m * e.d);
  order.forEach((c, j) => centroids.set(unit.subarray(c * e.d, (c + 1) * e.d), j * e.d));
  const sizes = order.map((c) => counts[c]);
  const stability = computeStability(hard, m, runs.filter((r) => r !== best).map((r) => r.labels));
  const byCluster: number[][] = Array.from({ length: m }, () => []);
  for (let i = 0; i < n; i++) byCluster[hard[i]].push(i);
  const representatives = byCluster.map((members) =>
    members
      .sort((a, b) => soft.similarities[b * k] - soft.similarities[a * k] || e.ids[a] - e.ids[b])
      .slice(0, o.representatives)
      .map((i) => e.ids[i]),
  );
  const agreement = agreementWithLabels(hard, e.labels);
  const metrics: ClusteringMetrics = {
    meanStability: meanStability(stability, sizes),
    ...(agreement ? { purity: agreement.purity, nmi: agreement.nmi, labelled: agreement.n } : {}),
    inertia: best.inertia,
    seeds: o.seeds,
    tau: o.tau,
    seconds: (performance.now() - t0) / 1000,
  };
  return { scale, seed: best.seed, centroids, m, sizes, stability, representatives, hard, soft, metrics };
}

/** The k nearest other images of every image, from the model's index (for UMAP). */
function neighboursFromIndex(e: Embeddings, k: number): Neighbours {
  const position = new Map(e.ids.map((id, i) => [id, i]));
  const indices: number[][] = [];
  const distances: number[][] = [];
  const chunk = 2048;
  for (let start = 0; start < e.ids.length; start += chunk) {
    const end = Math.min(e.ids.length, start + chunk);
    const hits = e.index.search(e.data.subarray(start * e.d, end * e.d), { k: k + 1 });
    hits.forEach((list, q) => {
      const self = start + q;
      const idx: number[] = [];
      const dist: number[] = [];
      for (const h of list) {
        const p = position.get(h.imageId);
        if (p === undefined || p === self || idx.length === k) continue;
        idx.push(p);
        dist.push(Math.max(0, 1 - h.score));
      }
      // An approximate (IVF) search can return fewer: repeat the farthest found (umap-js needs k each).
      while (idx.length < k) idx.push(idx[idx.length - 1] ?? self), dist.push(dist[dist.length - 1] ?? 0);
      indices.push(idx);
      distances.push(dist);
    });
  }
  return { indices, distances };
}

/** Named clusters to carry over: the model's own (a re-run), else those of its latest earlier model that has names. */
async function namedClustersBefore(tx: Prisma.TransactionClient, modelId: number, collectionId: number): Promise<Map<string, NamedCluster[]>> {
  const named = (where: Prisma.ClusteringWhereInput) =>
    tx.cluster.findMany({
      where: { name: { not: null }, clustering: where },
      select: { name: true, clustering: { select: { scale: true, modelId: true } }, memberships: { where: { rank: 0 }, select: { imageId: true } } },
    });
  let rows = await named({ modelId });
  if (rows.length === 0) {
    const source = await tx.model.findFirst({
      where: { collectionId, id: { lt: modelId }, clusterings: { some: { clusters: { some: { name: { not: null } } } } } },
      orderBy: { id: "desc" },
      select: { id: true },
    });
    if (source) rows = await named({ modelId: source.id });
  }
  const byScale = new Map<string, NamedCluster[]>();
  for (const r of rows) {
    const list = byScale.get(r.clustering.scale) ?? [];
    list.push({ name: r.name!, members: r.memberships.map((m) => m.imageId) });
    byScale.set(r.clustering.scale, list);
  }
  return byScale;
}

// 5 parameters a row: 6000 rows stay below SQLite's 32766 bound parameters.
const MEMBERSHIP_BATCH = 6000;

async function persist(modelId: number, collectionId: number, e: Embeddings, results: ScaleResult[]): Promise<{ clusteringId: number; carried: number }[]> {
  return writeTransaction(
    async (tx) => {
      const named = await namedClustersBefore(tx, modelId, collectionId);
      const old = (await tx.clustering.findMany({ where: { modelId }, select: { id: true } })).map((c) => c.id);
      await tx.membership.deleteMany({ where: { cluster: { clusteringId: { in: old } } } });
      await tx.cluster.deleteMany({ where: { clusteringId: { in: old } } });
      await tx.clustering.deleteMany({ where: { id: { in: old } } });
      const out: { clusteringId: number; carried: number }[] = [];
      for (const r of results) {
        const names = carryNames(named.get(r.scale.name) ?? [], new Map(e.ids.map((id, i) => [id, r.hard[i]])));
        const clustering = await tx.clustering.create({
          data: { modelId, scale: r.scale.name, m: r.m, seed: r.seed, metrics: r.metrics as unknown as Prisma.InputJsonValue },
        });
        const d = e.d;
        await tx.cluster.createMany({
          data: r.sizes.map((size, c) => ({
            clusteringId: clustering.id,
            index: c,
            size,
            name: names.get(c) ?? null,
            representativeIds: r.representatives[c],
            stability: r.stability[c],
            centroid: new Uint8Array(r.centroids.slice(c * d, (c + 1) * d).buffer),
          })),
        });
        const ids = new Map((await tx.cluster.findMany({ where: { clusteringId: clustering.id }, select: { id: true, index: true } })).map((c) => [c.index, c.id]));
        const k = r.soft.topK;
        let batch: Prisma.Sql[] = [];
        for (let i = 0; i < e.ids.length; i++) {
          for (let rank = 0; rank < k; rank++) {
            const c = r.soft.clusters[i * k + rank];
            if (c < 0) continue;
            batch.push(Prisma.sql`(${e.ids[i]}, ${ids.get(c)!}, ${r.soft.weights[i * k + rank]}, ${rank}, ${r.soft.similarities[i * k + rank]})`);
          }
          if (batch.length >= MEMBERSHIP_BATCH || (i === e.ids.length - 1 && batch.length)) {
            // One multi-row INSERT per batch: several times faster than createMany here, and portable SQL.
            await tx.$executeRaw`INSERT INTO "Membership" ("imageId", "clusterId", "weight", "rank", "similarity") VALUES ${Prisma.join(batch)}`;
            batch = [];
          }
        }
        out.push({ clusteringId: clustering.id, carried: names.size });
      }
      return out;
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
}

/** The density diagnostic of the model's embeddings (LA-SPEC.md, "Local vs background density"). */
function density(e: Embeddings, kBg: number): ModelDensity {
  const n = e.ids.length;
  const k = Math.max(1, Math.min(kBg, n - 2));
  const l = labelIds(e.labels);
  let labels: Int32Array | undefined;
  if (l && l.positions.length === n) labels = l.ids;
  const sample = Math.min(n, 2000);
  // 80 bins of 0.025 over [-1, 1]: fine enough to show the local curve move away from the background.
  const report = densityDiagnostic({ rows: e.data, dim: e.d, kLocal: Math.min(10, k), kBg: k, labels, sample, seed: 0, bins: 80 });
  return { version: 1, n, sample, kLocal: Math.min(10, k), kBg: k, report };
}

/**
 * Computes and stores the clusterings, map and density diagnostic of a model whose index is written.
 * `onProgress(fraction in [0, 1], phase)` is called between runs; `shouldStop()` is checked there too
 * (a stopped step writes nothing and returns `stopped: true`).
 */
export async function computeClusterings(modelId: number, opts: ComputeOptions = {}): Promise<ClusteringSummary> {
  const t0 = performance.now();
  const model = await prisma.model.findUnique({ where: { id: modelId }, select: { id: true, collectionId: true, config: true } });
  if (!model) throw new NotFoundError(`model ${modelId} not found`);
  const o = clusterOptions(opts.options);
  const e = await loadEmbeddings(modelId, model.collectionId);
  const n = e.ids.length;
  if (n < 3) throw new ValidationError(`model ${modelId} has ${n} indexed images: clustering needs at least 3`);
  const scales = resolveScales(n, o.scales);
  const stop = () => opts.shouldStop?.() ?? false;
  const stopped = (): ClusteringSummary => ({ modelId, n, stopped: true, scales: [], map: null, nearDuplicates: null, seconds: (performance.now() - t0) / 1000 });
  // Progress weights: k-means cost grows with m; the map and the writes take the last fifth.
  const totalM = scales.reduce((s, x) => s + x.m, 0);
  let doneM = 0;
  const results: ScaleResult[] = [];
  for (const scale of scales) {
    const r = await clusterScale(e, scale, o, (part, phase) => opts.onProgress?.((0.8 * (doneM + part * scale.m)) / totalM, phase), stop);
    if (!r) return stopped();
    results.push(r);
    doneM += scale.m;
  }
  opts.onProgress?.(0.8, "map");
  const tMap = performance.now();
  const umapK = Math.min(o.umapNeighbors, n - 2);
  const method: LayoutMethod = n <= o.umapMax && umapK >= 2 ? "umap" : "pca";
  const xy =
    method === "umap"
      ? await computeUmapLayout(e.data, n, e.d, neighboursFromIndex(e, umapK), {
          seed: o.seed,
          nNeighbors: umapK,
          nEpochs: o.umapEpochs,
          onEpoch: (f) => opts.onProgress?.(0.8 + 0.1 * f, "map"),
          shouldStop: stop,
        })
      : computePcaLayout(e.data, n, e.d, o.seed);
  if (!xy) return stopped();
  const mapSeconds = (performance.now() - tMap) / 1000;
  opts.onProgress?.(0.9, "density");
  const config = (model.config ?? {}) as { kBg?: number };
  const dens = density(e, config.kBg ?? 256);
  const finest = results[results.length - 1];
  const duplicateThreshold = calibrateDuplicateThreshold(e.data, n, e.d, o.duplicateSimilarity, o.seed);
  const dup = findNearDuplicates(e.data, e.d, finest.hard, e.ids, duplicateThreshold);
  if (stop()) return stopped();
  opts.onProgress?.(0.92, "saving");
  const saved = await persist(modelId, model.collectionId, e, results);
  await writeMap(modelId, {
    method,
    scales: results.map((r) => ({ name: r.scale.name, m: r.m })),
    n,
    ids: Int32Array.from(e.ids),
    xy,
    labels: results.map((r) => r.hard),
  });
  await writeDensity(modelId, dens);
  await writeDuplicates(modelId, { version: 1, scale: finest.scale.name, threshold: duplicateThreshold, ...dup });
  opts.onProgress?.(1, "done");
  return {
    modelId,
    n,
    stopped: false,
    scales: results.map((r, i) => ({ scale: r.scale.name, m: r.m, clusteringId: saved[i].clusteringId, carriedNames: saved[i].carried, ...r.metrics })),
    map: { method, seconds: mapSeconds },
    nearDuplicates: { groups: dup.groups.length, pairs: dup.pairs, threshold: duplicateThreshold },
    seconds: (performance.now() - t0) / 1000,
  };
}

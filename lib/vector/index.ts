import { env } from "@/lib/config/env";
import { IndexRegistry, indexStamp } from "./registry";
import { type IndexOptions, VectorIndex } from "./index-store";

export { VectorIndex, type Hit, type IndexKind, type IndexOptions, type SearchOptions } from "./index-store";
export type { Served } from "./registry";

/** Index settings of this process (LA_IVF_THRESHOLD, LA_IVF_NPROBE). */
export function indexOptions(): IndexOptions {
  const e = env();
  return { ivfThreshold: e.LA_IVF_THRESHOLD, nprobe: e.LA_IVF_NPROBE };
}

// One registry per process; on globalThis so that Next's separately bundled route handlers share it.
const g = globalThis as unknown as { laIndexRegistry?: IndexRegistry };

/** The process's loaded indexes (lazy, hot-swapped). */
export function indexRegistry(): IndexRegistry {
  return (g.laIndexRegistry ??= new IndexRegistry({
    load: (modelId) => VectorIndex.load(modelId, indexOptions()),
    stamp: indexStamp,
    recheckMs: 1000,
    retryMs: 2000,
    idleMs: 30 * 60_000,
  }));
}

// Updates of one model's files run one at a time within a process (read, change, write).
const updating = new Map<number, Promise<unknown>>();

function serialised<T>(modelId: number, fn: () => Promise<T>): Promise<T> {
  const run = (updating.get(modelId) ?? Promise.resolve()).catch(() => {}).then(fn);
  updating.set(modelId, run);
  return run.finally(() => updating.get(modelId) === run && updating.delete(modelId));
}

/** Builds a model's index (flat or IVF by size) from `embeddings` [imageIds.length x dim] and writes it. */
export function writeModelIndex(modelId: number, embeddings: Float32Array, imageIds: number[], dim: number): Promise<VectorIndex> {
  return serialised(modelId, async () => {
    const index = VectorIndex.build(embeddings, imageIds, dim, indexOptions());
    await index.save(modelId);
    return index;
  });
}

/** Appends newly embedded images to a model's index on disk; this process serves the result at once. */
export function appendToModelIndex(modelId: number, imageIds: number[], embeddings: Float32Array): Promise<number> {
  return serialised(modelId, async () => {
    let index = await VectorIndex.load(modelId, indexOptions());
    index.append(imageIds, embeddings);
    // A flat index that grew past the threshold becomes IVF (flat single queries grow linearly with n).
    if (index.kind === "flat" && index.rows >= indexOptions().ivfThreshold) index = index.compact(indexOptions());
    await index.save(modelId);
    await indexRegistry().replace(modelId, index);
    return index.size;
  });
}

/** Takes images out of a model's index (a tombstone; rebuilt away when more than a tenth is removed). */
export function removeFromModelIndex(modelId: number, imageIds: number[]): Promise<number> {
  return serialised(modelId, async () => {
    let index = await VectorIndex.load(modelId, indexOptions());
    const removed = index.remove(imageIds);
    if (removed === 0) return 0;
    if (index.needsCompaction) index = index.compact(indexOptions());
    await index.save(modelId);
    await indexRegistry().replace(modelId, index);
    return removed;
  });
}

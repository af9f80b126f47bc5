/**
 * Messages and shared memory between the data-parallel pool (pool.ts) and its workers (worker.ts).
 *
 * Each step, worker r computes the gradient of its slice of the batch and writes, into its own slot
 * of one SharedArrayBuffer: gradients and loss scaled by its share n_r/B, BN batch moments, and its
 * embeddings. After a barrier every worker reads all slots in rank order, so all replicas apply the
 * same averaged update to identical weights, BN statistics and memory banks (no drift).
 */
import type { StoredTensor } from "../checkpoint";
import type { LAConfig } from "../config";
import type { Phase } from "../train-step";

export interface SlotLayout {
  /** Trainable parameter names and float offsets/lengths within the gradient block, in order. */
  params: { name: string; offset: number; length: number }[];
  gradFloats: number;
  /** Per conv layer: channels (mean block then variance block). */
  momentChannels: number[];
  momentFloats: number;
  /** Largest slice of a batch one worker gets, times D. */
  embeddingFloats: number;
  /** Floats per slot: grads, moments, embeddings, then [loss, count]. */
  slotFloats: number;
}

export interface WorkerInit {
  config: LAConfig;
  n: number;
  tensors: Map<string, StoredTensor>;
  bank: Float32Array;
  labels: Int32Array;
  /** uint8 HWC pixels in a SharedArrayBuffer. */
  pixels: SharedArrayBuffer;
  /** size slots of `layout.slotFloats` float32. */
  slots: SharedArrayBuffer;
  /** Two int32: barrier arrivals and generation. */
  barrier: SharedArrayBuffer;
  /** clusterOn "embeddings": n x D float32 that the workers embed into together before k-means. */
  rows: SharedArrayBuffer | null;
  layout: SlotLayout;
  rank: number;
  size: number;
  backend: "wasm" | "cpu";
}

export type ToWorker =
  | { type: "init"; init: WorkerInit }
  | { type: "step"; batch: Int32Array; phase: Phase; lr: number; augSeed: number }
  | { type: "labels"; labels: Int32Array }
  | { type: "kmeans"; clusterings: number[] }
  | { type: "snapshot" };

export type FromWorker =
  | { type: "ok" }
  | { type: "clusters"; labels: [number, Int32Array][] }
  | { type: "snapshot"; tensors: Map<string, StoredTensor> }
  | { type: "error"; message: string };

/** Contiguous slice of a batch for worker `rank` of `size`. */
export function sliceBatch(batch: Int32Array, rank: number, size: number): Int32Array {
  const per = Math.ceil(batch.length / size);
  return batch.subarray(Math.min(batch.length, rank * per), Math.min(batch.length, (rank + 1) * per));
}

/** Sense-free generation barrier over `size` threads (Atomics.wait is allowed in workers). */
export function waitBarrier(ctrl: Int32Array, size: number): void {
  const generation = Atomics.load(ctrl, 1);
  if (Atomics.add(ctrl, 0, 1) === size - 1) {
    Atomics.store(ctrl, 0, 0);
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
    return;
  }
  while (Atomics.load(ctrl, 1) === generation) Atomics.wait(ctrl, 1, generation);
}

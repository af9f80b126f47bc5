/**
 * Data-parallel training on worker threads (TrainEngine). TF.js's WASM backend runs on one core per
 * instance, so `size` workers each hold a full replica (encoder, momentum, memory bank, labels) on
 * their own WASM backend, compute the gradient of 1/size of every batch, and apply the same averaged
 * update (protocol.ts). Pixels are shared read-only through a SharedArrayBuffer; the main thread only
 * sends batch indices and reads the summed loss. k-means runs spread over the workers (clustering h
 * on worker h mod size). Batch norm uses per-worker batch statistics (like PyTorch DDP without SyncBN);
 * running statistics are updated from the pooled moments of the whole batch.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import type { StoredTensor } from "../checkpoint";
import type { EngineInit, TrainEngine } from "../engine";
import type { Phase } from "../train-step";
import type { FromWorker, SlotLayout, ToWorker } from "./protocol";

function computeLayout(init: EngineInit, size: number): SlotLayout {
  const params: SlotLayout["params"] = [];
  let gradFloats = 0;
  const momentChannels: number[] = [];
  for (const [key, t] of init.tensors) {
    if (!key.startsWith("encoder/")) continue;
    const name = key.slice("encoder/".length);
    if (name.endsWith("/mean") || name.endsWith("/var")) {
      if (name.endsWith("/mean")) momentChannels.push(t.data.length);
      continue;
    }
    params.push({ name, offset: gradFloats, length: t.data.length });
    gradFloats += t.data.length;
  }
  const momentFloats = 2 * momentChannels.reduce((a, b) => a + b, 0);
  const embeddingFloats = Math.ceil(init.config.batchSize / size) * init.config.embeddingDim;
  return { params, gradFloats, momentChannels, momentFloats, embeddingFloats, slotFloats: gradFloats + momentFloats + embeddingFloats + 2 };
}

/** Starts worker.ts; under tsx (a .ts file here) the worker registers tsx's loader first. */
function spawn(): Worker {
  const file = path.join(__dirname, `worker${path.extname(__filename)}`);
  if (file.endsWith(".ts")) {
    const tsx = require.resolve("tsx/cjs/api");
    return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, { eval: true });
  }
  return new Worker(file);
}

class WorkerHandle {
  private pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;

  constructor(readonly worker: Worker) {
    worker.on("message", (m: FromWorker) => {
      const p = this.pending;
      this.pending = null;
      if (m.type === "error") p?.reject(new Error(`training worker: ${m.message}`));
      else p?.resolve(m);
    });
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", (code) => this.fail(new Error(`training worker exited with code ${code}`)));
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  call(msg: ToWorker): Promise<FromWorker> {
    if (this.pending) throw new Error("training worker: request while another is pending");
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }
}

export class ParallelEngine implements TrainEngine {
  private latest = NaN;
  private lossSum = 0;

  private constructor(
    private readonly workers: WorkerHandle[],
    private readonly slots: Float32Array,
    private readonly layout: SlotLayout,
    private readonly init: EngineInit,
  ) {}

  get threads(): number {
    return this.workers.length;
  }

  static async create(init: EngineInit, size: number): Promise<ParallelEngine> {
    const backend = tf.getBackend();
    if (backend !== "wasm" && backend !== "cpu") throw new Error(`data-parallel training needs the wasm or cpu backend (running "${backend}")`);
    const layout = computeLayout(init, size);
    const pixels = new SharedArrayBuffer(init.pixels.length);
    new Uint8Array(pixels).set(init.pixels);
    const slots = new SharedArrayBuffer(4 * layout.slotFloats * size);
    const barrier = new SharedArrayBuffer(8);
    const rows = init.config.clusterOn === "embeddings" ? new SharedArrayBuffer(4 * init.n * init.config.embeddingDim) : null;
    const workers = Array.from({ length: size }, () => new WorkerHandle(spawn()));
    const engine = new ParallelEngine(workers, new Float32Array(slots), layout, init);
    try {
      await Promise.all(
        workers.map((w, rank) =>
          w.call({ type: "init", init: { config: init.config, n: init.n, tensors: init.tensors, bank: init.bank, labels: init.labels, pixels, slots, barrier, rows, layout, rank, size, backend } }),
        ),
      );
    } catch (e) {
      await engine.dispose();
      throw e;
    }
    return engine;
  }

  async step(batch: Int32Array, phase: Phase, lr: number, augSeed: number): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call({ type: "step", batch, phase, lr, augSeed })));
    let loss = 0;
    for (let r = 0; r < this.workers.length; r++) loss += this.slots[(r + 1) * this.layout.slotFloats - 2];
    this.latest = loss;
    this.lossSum += loss;
  }

  async lastLoss(): Promise<number> {
    return this.latest;
  }

  async takeLossSum(): Promise<number> {
    const s = this.lossSum;
    this.lossSum = 0;
    return s;
  }

  async recluster(): Promise<Int32Array> {
    const h = this.init.config.clusterings;
    const n = this.init.n;
    const size = this.workers.length;
    const replies = await Promise.all(
      this.workers.map((w, r) => w.call({ type: "kmeans", clusterings: Array.from({ length: h }, (_, k) => k).filter((k) => k % size === r) })),
    );
    const labels = new Int32Array(h * n);
    for (const reply of replies) if (reply.type === "clusters") for (const [k, l] of reply.labels) labels.set(l, k * n);
    await Promise.all(this.workers.map((w) => w.call({ type: "labels", labels })));
    return labels;
  }

  /** The state of replica `rank` (all replicas are identical; tests check that). */
  async snapshot(rank = 0): Promise<Map<string, StoredTensor>> {
    const reply = await this.workers[rank].call({ type: "snapshot" });
    if (reply.type !== "snapshot") throw new Error(`training worker: unexpected reply ${reply.type}`);
    return reply.tensors;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

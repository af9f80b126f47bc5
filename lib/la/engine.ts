/**
 * Where training steps run. The trainer (trainer.ts) owns the schedule, permutations, RNG and
 * checkpoints; an engine owns the tensors: the encoder, SGD momentum, memory bank and cluster labels.
 *   LocalEngine: in this thread, on the current TF.js backend.
 *   ParallelEngine (parallel/pool.ts): data-parallel on worker threads, one WASM backend each.
 * Both take their whole state as plain arrays (EngineInit) and give it back the same way
 * (`snapshot`), so checkpoints do not depend on where training ran.
 */
import * as tf from "@tensorflow/tfjs";
import type { StoredTensor } from "./checkpoint";
import type { LAConfig } from "./config";
import { createEncoder, disposeEncoder } from "./encoder";
import { embed, encoderConfigOf, restoreEncoder, snapshotEncoder } from "./embed";
import { kmeans } from "./kmeans";
import { MemoryBank } from "./memory-bank";
import { createMomentum, runTrainStep, type Phase, type StepContext } from "./train-step";

export interface EngineInit {
  config: LAConfig;
  n: number;
  pixels: Uint8Array;
  /** "encoder/<param>" and "momentum/<param>" tensors. */
  tensors: Map<string, StoredTensor>;
  /** [N, D] row-major unit rows. */
  bank: Float32Array;
  /** [H, N] cluster labels. */
  labels: Int32Array;
}

export interface TrainEngine {
  readonly threads: number;
  step(batch: Int32Array, phase: Phase, lr: number, augSeed: number): Promise<void>;
  /** Loss of the latest step (synchronises with the backend). */
  lastLoss(): Promise<number>;
  /** Sum of the step losses since the previous call. */
  takeLossSum(): Promise<number>;
  /** H k-means runs on the bank (seeds 1234+h); installs and returns the labels [H, N]. */
  recluster(): Promise<Int32Array>;
  /** Encoder, momentum ("encoder/*", "momentum/*") and "bank" [N, D]. */
  snapshot(): Promise<Map<string, StoredTensor>>;
  dispose(): Promise<void>;
}

export const CLUSTER_SEED = 1234;

/** The rows k-means clusters before an LA epoch (config.clusterOn): the memory bank or fresh embeddings. */
export async function computeClusterRows(ctx: StepContext, n: number): Promise<Float32Array> {
  return ctx.config.clusterOn === "embeddings" ? embed(ctx.encoder, ctx.pixels, n) : ctx.bank.rows();
}

/** Clustering h of the rows (seed 1234+h). */
export function computeClustering(rows: Float32Array, n: number, cfg: LAConfig, h: number): Int32Array {
  return kmeans(rows, n, cfg.embeddingDim, { m: cfg.m, seed: CLUSTER_SEED + h, iterations: cfg.kmeansIterations }).labels;
}

/** Builds the tensors of an EngineInit on the current backend. */
export function createStepContext(init: EngineInit): StepContext {
  const { config: cfg, n } = init;
  const encoder = createEncoder(encoderConfigOf(cfg), cfg.seed);
  restoreEncoder(encoder, init.tensors);
  const momentum = createMomentum(encoder);
  for (const [name, buf] of momentum) {
    const t = init.tensors.get(`momentum/${name}`);
    if (t) tf.tidy(() => buf.assign(tf.tensor(t.data, buf.shape)));
  }
  return { config: cfg, encoder, bank: MemoryBank.fromRows(init.bank, n, cfg.embeddingDim), momentum, labels: init.labels, pixels: init.pixels };
}

export function snapshotContext(ctx: StepContext): Map<string, StoredTensor> {
  const tensors = snapshotEncoder(ctx.encoder);
  for (const [name, buf] of ctx.momentum) tensors.set(`momentum/${name}`, { shape: buf.shape, data: buf.dataSync() as Float32Array });
  tensors.set("bank", { shape: [ctx.bank.n, ctx.bank.d], data: ctx.bank.rows() });
  return tensors;
}

export function disposeStepContext(ctx: StepContext): void {
  disposeEncoder(ctx.encoder);
  ctx.bank.dispose();
  for (const v of ctx.momentum.values()) v.dispose();
}

export class LocalEngine implements TrainEngine {
  readonly threads = 1;
  private readonly ctx: StepContext;
  private lossSum: tf.Scalar = tf.scalar(0);
  private latest: tf.Scalar | null = null;

  constructor(private readonly init: EngineInit) {
    this.ctx = createStepContext(init);
  }

  async step(batch: Int32Array, phase: Phase, lr: number, augSeed: number): Promise<void> {
    const loss = runTrainStep(this.ctx, batch, phase, lr, augSeed);
    const sum = tf.add(this.lossSum, loss) as tf.Scalar;
    this.lossSum.dispose();
    this.latest?.dispose();
    this.lossSum = sum;
    this.latest = loss;
  }

  async lastLoss(): Promise<number> {
    return this.latest ? (await this.latest.data())[0] : NaN;
  }

  async takeLossSum(): Promise<number> {
    const v = (await this.lossSum.data())[0];
    this.lossSum.dispose();
    this.lossSum = tf.scalar(0);
    return v;
  }

  async recluster(): Promise<Int32Array> {
    const { config: cfg, n } = this.init;
    const rows = await computeClusterRows(this.ctx, n);
    const labels = new Int32Array(cfg.clusterings * n);
    for (let h = 0; h < cfg.clusterings; h++) labels.set(computeClustering(rows, n, cfg, h), h * n);
    this.ctx.labels = labels;
    return labels;
  }

  async snapshot(): Promise<Map<string, StoredTensor>> {
    return snapshotContext(this.ctx);
  }

  async dispose(): Promise<void> {
    disposeStepContext(this.ctx);
    tf.dispose([this.lossSum, ...(this.latest ? [this.latest] : [])]);
  }
}

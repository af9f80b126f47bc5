/**
 * The training schedule of Local Aggregation (Zhuang et al., arXiv:1903.12355, Sec. 3-4): warmupEpochs
 * of IR (instance recognition), then LA from the same weights and memory bank, re-clustering the bank
 * (H = `clusterings` k-means runs, seeds 1234+h) once per LA epoch before its first step.
 * Learning rate: lr, times lrDecayFactor at each of lrDecayEpochs.
 *
 * Deviations from the reference code: re-clustering is tied to the epoch (the PyTorch port's batch-index
 * trigger can silently never fire); the last batch of an epoch may be smaller than batchSize.
 *
 * A checkpoint is written after every epoch and when `shouldStop()` turns true between steps; a
 * checkpoint already in `checkpointDir` is resumed exactly (same permutation, augmentation and clusters).
 * On resume the stored architecture and n must match; other fields (epochs, lr, ...) come from `config`.
 * `init.fromCheckpointDir` fine-tunes another run's encoder: its bank rows are kept for the first n_old
 * images (pixels must list those first, in the same order) and new rows start as their embeddings.
 *
 * lib/la never logs: progress goes to `onProgress` (at least once a second) and `onEpoch`.
 */
import * as tf from "@tensorflow/tfjs";
import { loadCheckpoint, saveCheckpoint, type CheckpointState, type StoredTensor } from "./checkpoint";
import { computeLearningRate, type LAConfig } from "./config";
import { createEncoder, disposeEncoder } from "./encoder";
import { embed, encoderConfigOf, restoreEncoder, snapshotEncoder } from "./embed";
import { kmeans } from "./kmeans";
import { MemoryBank } from "./memory-bank";
import { Rng } from "./rng";
import { createMomentum, runTrainStep, type Phase, type StepContext } from "./train-step";

export interface TrainProgress {
  phase: Phase;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  imgPerSec: number;
  etaSeconds: number;
}

export interface EpochReport {
  phase: Phase;
  epoch: number;
  epochs: number;
  loss: number;
  seconds: number;
  imgPerSec: number;
  clusterSeconds: number;
}

export interface TrainOptions {
  pixels: Uint8Array;
  n: number;
  config: LAConfig;
  checkpointDir: string;
  init?: { fromCheckpointDir: string };
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (e: EpochReport) => void;
  shouldStop?: () => boolean;
}

export interface TrainResult {
  status: "completed" | "stopped";
  epochs: number;
  finalLoss: number;
  resumedFromEpoch: number;
  imgPerSec: number;
  /** H x N cluster labels, row-major (identity before the first clustering). */
  labels: Int32Array;
  /** N x D memory bank, row-major. */
  bank: Float32Array;
}

const CLUSTER_SEED = 1234;

interface RunState {
  ctx: StepContext;
  epoch: number;
  step: number;
  permutation: Int32Array;
  labels: Int32Array;
  epochLosses: number[];
}

function identityLabels(h: number, n: number): Int32Array {
  const labels = new Int32Array(h * n);
  for (let k = 0; k < h; k++) for (let j = 0; j < n; j++) labels[k * n + j] = j;
  return labels;
}

function setLabels(state: RunState, labels: Int32Array): void {
  state.labels = labels;
  state.ctx.labels?.dispose();
  state.ctx.labels = tf.tensor2d(labels, [state.ctx.config.clusterings, labels.length / state.ctx.config.clusterings], "int32");
}

/** H k-means runs on the current bank rows (seeds 1234+h). */
export function computeClusterLabels(rows: Float32Array, n: number, cfg: LAConfig): Int32Array {
  const labels = new Int32Array(cfg.clusterings * n);
  for (let h = 0; h < cfg.clusterings; h++) {
    labels.set(kmeans(rows, n, cfg.embeddingDim, { m: cfg.m, seed: CLUSTER_SEED + h, iterations: cfg.kmeansIterations }).labels, h * n);
  }
  return labels;
}

function assertCompatible(stored: LAConfig, storedN: number, cfg: LAConfig, n: number, what: string): void {
  const keys = ["resolution", "channels", "widthMultiplier", "embeddingDim"] as const;
  const bad = keys.filter((k) => stored[k] !== cfg[k]).map((k) => `${k} ${stored[k]} vs ${cfg[k]}`);
  if (storedN !== n && what === "resume") bad.push(`n ${storedN} vs ${n}`);
  if (bad.length) throw new Error(`cannot ${what} from checkpoint: ${bad.join(", ")}`);
}

async function createState(opts: TrainOptions): Promise<{ state: RunState; resumedFromEpoch: number }> {
  const { config: cfg, n, pixels } = opts;
  const encoder = createEncoder(encoderConfigOf(cfg), cfg.seed);
  const ctx: StepContext = { config: cfg, encoder, bank: null as unknown as MemoryBank, momentum: createMomentum(encoder), labels: null, pixels, rng: new Rng(cfg.seed + 1) };
  const state: RunState = { ctx, epoch: 0, step: 0, permutation: new Int32Array(0), labels: new Int32Array(0), epochLosses: [] };
  const ckpt = await loadCheckpoint(opts.checkpointDir);
  if (ckpt) {
    assertCompatible(ckpt.config, ckpt.n, cfg, n, "resume");
    restoreEncoder(encoder, ckpt.tensors);
    for (const [name, buf] of ctx.momentum) tf.tidy(() => buf.assign(tf.tensor(ckpt.tensors.get(`momentum/${name}`)!.data, buf.shape)));
    ctx.bank = MemoryBank.fromRows(ckpt.tensors.get("bank")!.data, n, cfg.embeddingDim);
    ctx.rng = new Rng(ckpt.rngState);
    Object.assign(state, { epoch: ckpt.epoch, step: ckpt.step, permutation: ckpt.permutation.slice(), epochLosses: ckpt.epochLosses });
    setLabels(state, ckpt.labels.slice());
    return { state, resumedFromEpoch: ckpt.epoch };
  }
  if (opts.init) {
    const src = await loadCheckpoint(opts.init.fromCheckpointDir);
    if (!src) throw new Error(`no checkpoint to fine-tune from in ${opts.init.fromCheckpointDir}`);
    assertCompatible(src.config, src.n, cfg, n, "fine-tune");
    if (n < src.n) throw new Error(`fine-tune: collection has ${n} images, the source model was trained on ${src.n}`);
    restoreEncoder(encoder, src.tensors);
    const d = cfg.embeddingDim;
    const rows = new Float32Array(n * d);
    rows.set(src.tensors.get("bank")!.data.subarray(0, src.n * d));
    if (n > src.n) rows.set(await embed(encoder, pixels.subarray(src.n * cfg.resolution ** 2 * cfg.channels), n - src.n), src.n * d);
    ctx.bank = MemoryBank.fromRows(rows, n, d);
  } else {
    ctx.bank = MemoryBank.random(n, cfg.embeddingDim, new Rng(cfg.seed + 2));
  }
  setLabels(state, identityLabels(cfg.clusterings, n));
  return { state, resumedFromEpoch: 0 };
}

async function checkpoint(opts: TrainOptions, state: RunState): Promise<void> {
  const { ctx } = state;
  const tensors = snapshotEncoder(ctx.encoder);
  for (const [name, buf] of ctx.momentum) tensors.set(`momentum/${name}`, { shape: buf.shape, data: buf.dataSync() as Float32Array } satisfies StoredTensor);
  tensors.set("bank", { shape: [ctx.bank.n, ctx.bank.d], data: ctx.bank.rows() });
  const s: CheckpointState = {
    config: ctx.config,
    n: opts.n,
    epoch: state.epoch,
    step: state.step,
    rngState: ctx.rng.state,
    epochLosses: state.epochLosses,
    tensors,
    labels: state.labels,
    permutation: state.permutation,
  };
  await saveCheckpoint(opts.checkpointDir, s);
}

function dispose(state: RunState): void {
  const { ctx } = state;
  disposeEncoder(ctx.encoder);
  ctx.bank.dispose();
  ctx.labels?.dispose();
  for (const v of ctx.momentum.values()) v.dispose();
}

interface Meter {
  trained: number;
  seconds: number;
  lastLoss: number;
}

/** Runs the remaining steps of epoch `state.epoch`. Returns false when stopped mid-epoch. */
async function runEpoch(opts: TrainOptions, state: RunState, meter: Meter): Promise<boolean> {
  const { config: cfg, n } = opts;
  const steps = Math.ceil(n / cfg.batchSize);
  const phase: Phase = state.epoch < cfg.warmupEpochs ? "ir" : "la";
  const t0 = performance.now();
  if (state.step === 0) {
    if (phase === "la") setLabels(state, computeClusterLabels(state.ctx.bank.rows(), n, cfg));
    state.permutation = state.ctx.rng.permutation(n);
  }
  const clusterSeconds = (performance.now() - t0) / 1000;
  const lr = computeLearningRate(cfg, state.epoch);
  const firstStep = state.step;
  let lossSum: tf.Scalar = tf.scalar(0);
  let lastReport = 0;
  const tSteps = performance.now();
  const elapsed = () => meter.seconds + (performance.now() - tSteps) / 1000;
  while (state.step < steps) {
    const batch = state.permutation.subarray(state.step * cfg.batchSize, Math.min(n, (state.step + 1) * cfg.batchSize));
    const loss = runTrainStep(state.ctx, batch, phase, lr);
    const sum = tf.add(lossSum, loss) as tf.Scalar;
    lossSum.dispose();
    lossSum = sum;
    state.step++;
    meter.trained += batch.length;
    if (opts.onProgress && (performance.now() - lastReport >= 1000 || state.step === steps)) {
      lastReport = performance.now();
      meter.lastLoss = loss.dataSync()[0];
      const rate = meter.trained / elapsed();
      const remaining = (cfg.epochs - state.epoch) * n - Math.min(n, state.step * cfg.batchSize);
      opts.onProgress({ phase, epoch: state.epoch, epochs: cfg.epochs, step: state.step, steps, loss: meter.lastLoss, imgPerSec: rate, etaSeconds: remaining / rate });
    }
    loss.dispose();
    if (state.step < steps && opts.shouldStop?.()) {
      meter.seconds = elapsed();
      lossSum.dispose();
      return false;
    }
  }
  meter.seconds = elapsed();
  meter.lastLoss = lossSum.dataSync()[0] / Math.max(1, steps - firstStep);
  lossSum.dispose();
  state.epochLosses.push(meter.lastLoss);
  state.epoch++;
  state.step = 0;
  await checkpoint(opts, state);
  const seconds = (performance.now() - t0) / 1000;
  opts.onEpoch?.({ phase, epoch: state.epoch, epochs: cfg.epochs, loss: meter.lastLoss, seconds, imgPerSec: n / (seconds - clusterSeconds), clusterSeconds });
  return true;
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { config: cfg, n } = opts;
  const imageSize = cfg.resolution * cfg.resolution * cfg.channels;
  if (opts.pixels.length !== n * imageSize) throw new Error(`train: ${opts.pixels.length} bytes for n=${n} images of ${cfg.resolution}x${cfg.resolution}x${cfg.channels}`);
  if (cfg.kBg > n || cfg.m > n || cfg.batchSize > n) throw new Error(`train: config was resolved for a larger collection than n=${n}`);
  const { state, resumedFromEpoch } = await createState(opts);
  const meter: Meter = { trained: 0, seconds: 0, lastLoss: state.epochLosses.at(-1) ?? NaN };
  let status: TrainResult["status"] = "completed";
  try {
    while (state.epoch < cfg.epochs) {
      const finished = await runEpoch(opts, state, meter);
      if (!finished || (state.epoch < cfg.epochs && opts.shouldStop?.())) {
        if (!finished) await checkpoint(opts, state);
        status = "stopped";
        break;
      }
    }
    return {
      status,
      epochs: state.epoch,
      finalLoss: meter.lastLoss,
      resumedFromEpoch,
      imgPerSec: meter.seconds > 0 ? meter.trained / meter.seconds : 0,
      labels: state.labels,
      bank: state.ctx.bank.rows(),
    };
  } finally {
    dispose(state);
  }
}


/**
 * The training schedule of Local Aggregation (Zhuang et al., arXiv:1903.12355, Sec. 3-4): warmupEpochs
 * of IR (instance recognition), then LA from the same weights and memory bank, re-clustering the bank
 * (or, with clusterOn "embeddings", fresh embeddings of the images; H = `clusterings` k-means runs, seeds
 * 1234+h) once per LA epoch before its first step.
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
 * `threads` > 1 trains data-parallel on worker threads (parallel/pool.ts); results then differ from
 * threads = 1 in float rounding, BN batch statistics (per worker) and augmentation streams, but are
 * deterministic and resumable for a given thread count.
 *
 * lib/la never logs: progress goes to `onProgress` (at least once a second) and `onEpoch`.
 */
import { saveCheckpoint } from "./checkpoint";
import { computeLearningRate, type LAConfig } from "./config";
import { LocalEngine, type TrainEngine } from "./engine";
import { ParallelEngine } from "./parallel/pool";
import { createRunState, type RunState } from "./run-state";
import type { Phase } from "./train-step";

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
  /** Worker threads for data-parallel training (1 = in this thread). */
  threads?: number;
}

export interface TrainResult {
  status: "completed" | "stopped";
  epochs: number;
  finalLoss: number;
  resumedFromEpoch: number;
  imgPerSec: number;
  threads: number;
  /** H x N cluster labels, row-major (identity before the first clustering). */
  labels: Int32Array;
  /** N x D memory bank, row-major. */
  bank: Float32Array;
}

async function checkpoint(opts: TrainOptions, engine: TrainEngine, run: RunState): Promise<void> {
  await saveCheckpoint(opts.checkpointDir, {
    config: opts.config,
    n: opts.n,
    epoch: run.epoch,
    step: run.step,
    rngState: run.rng.state,
    epochLosses: run.epochLosses,
    tensors: await engine.snapshot(),
    labels: run.labels,
    permutation: run.permutation,
  });
}

interface Meter {
  trained: number;
  seconds: number;
  lastLoss: number;
}

/** Runs the remaining steps of epoch `run.epoch`. Returns false when stopped mid-epoch. */
async function runEpoch(opts: TrainOptions, engine: TrainEngine, run: RunState, meter: Meter): Promise<boolean> {
  const { config: cfg, n } = opts;
  const steps = Math.ceil(n / cfg.batchSize);
  const phase: Phase = run.epoch < cfg.warmupEpochs ? "ir" : "la";
  const t0 = performance.now();
  if (run.step === 0) {
    if (phase === "la") run.labels = await engine.recluster();
    run.permutation = run.rng.permutation(n);
  }
  const clusterSeconds = (performance.now() - t0) / 1000;
  const lr = computeLearningRate(cfg, run.epoch);
  const firstStep = run.step;
  let lastReport = 0;
  const tSteps = performance.now();
  const elapsed = () => meter.seconds + (performance.now() - tSteps) / 1000;
  while (run.step < steps) {
    const batch = run.permutation.subarray(run.step * cfg.batchSize, Math.min(n, (run.step + 1) * cfg.batchSize));
    await engine.step(batch, phase, lr, run.rng.int(2 ** 31));
    run.step++;
    meter.trained += batch.length;
    if (opts.onProgress && (performance.now() - lastReport >= 1000 || run.step === steps)) {
      lastReport = performance.now();
      meter.lastLoss = await engine.lastLoss();
      const rate = meter.trained / elapsed();
      const remaining = (cfg.epochs - run.epoch) * n - Math.min(n, run.step * cfg.batchSize);
      opts.onProgress({ phase, epoch: run.epoch, epochs: cfg.epochs, step: run.step, steps, loss: meter.lastLoss, imgPerSec: rate, etaSeconds: remaining / rate });
    }
    if (run.step < steps && opts.shouldStop?.()) {
      meter.seconds = elapsed();
      return false;
    }
  }
  meter.seconds = elapsed();
  meter.lastLoss = (await engine.takeLossSum()) / Math.max(1, steps - firstStep);
  run.epochLosses.push(meter.lastLoss);
  run.epoch++;
  run.step = 0;
  await checkpoint(opts, engine, run);
  const seconds = (performance.now() - t0) / 1000;
  opts.onEpoch?.({ phase, epoch: run.epoch, epochs: cfg.epochs, loss: meter.lastLoss, seconds, imgPerSec: n / (seconds - clusterSeconds), clusterSeconds });
  return true;
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { config: cfg, n } = opts;
  const imageSize = cfg.resolution * cfg.resolution * cfg.channels;
  if (opts.pixels.length !== n * imageSize) throw new Error(`train: ${opts.pixels.length} bytes for n=${n} images of ${cfg.resolution}x${cfg.resolution}x${cfg.channels}`);
  if (cfg.kBg > n || cfg.m > n || cfg.batchSize > n) throw new Error(`train: config was resolved for a larger collection than n=${n}`);
  const { init, run, resumedFromEpoch } = await createRunState(opts);
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  const engine: TrainEngine = threads > 1 ? await ParallelEngine.create(init, threads) : new LocalEngine(init);
  const meter: Meter = { trained: 0, seconds: 0, lastLoss: run.epochLosses.at(-1) ?? NaN };
  let status: TrainResult["status"] = "completed";
  try {
    while (run.epoch < cfg.epochs) {
      const finished = await runEpoch(opts, engine, run, meter);
      if (!finished || (run.epoch < cfg.epochs && opts.shouldStop?.())) {
        if (!finished) await checkpoint(opts, engine, run);
        status = "stopped";
        break;
      }
    }
    return {
      status,
      epochs: run.epoch,
      finalLoss: meter.lastLoss,
      resumedFromEpoch,
      imgPerSec: meter.seconds > 0 ? meter.trained / meter.seconds : 0,
      threads,
      labels: run.labels,
      bank: (await engine.snapshot()).get("bank")!.data,
    };
  } finally {
    await engine.dispose();
  }
}

/**
 * Where a training run starts (trainer.ts): resume from the checkpoint in `checkpointDir`, fine-tune
 * from another run's checkpoint (`init.fromCheckpointDir`: its encoder, its bank rows for the first
 * n_old images, new rows = their current embeddings, fresh optimiser), or start fresh (seeded encoder,
 * random unit bank rows, labels[h][j] = j so that LA starts out like IR).
 * Returns the engine's initial tensors (EngineInit) and the trainer's schedule state (RunState).
 */
import { loadCheckpoint, type StoredTensor } from "./checkpoint";
import type { LAConfig } from "./config";
import { createEncoder, disposeEncoder } from "./encoder";
import { embed, encoderConfigOf, restoreEncoder, snapshotEncoder } from "./embed";
import { computeClustering, type EngineInit } from "./engine";
import { MemoryBank } from "./memory-bank";
import { Rng } from "./rng";
import type { TrainOptions } from "./trainer";

/** Schedule state owned by the trainer (the engine owns the tensors). */
export interface RunState {
  epoch: number;
  step: number;
  permutation: Int32Array;
  labels: Int32Array;
  epochLosses: number[];
  rng: Rng;
}

function identityLabels(h: number, n: number): Int32Array {
  const labels = new Int32Array(h * n);
  for (let k = 0; k < h; k++) for (let j = 0; j < n; j++) labels[k * n + j] = j;
  return labels;
}

/** H k-means runs on bank rows (seeds 1234+h), in this thread. */
export function computeClusterLabels(rows: Float32Array, n: number, cfg: LAConfig): Int32Array {
  const labels = new Int32Array(cfg.clusterings * n);
  for (let h = 0; h < cfg.clusterings; h++) labels.set(computeClustering(rows, n, cfg, h), h * n);
  return labels;
}

/** The architecture must match; a resume also needs the same n, and the same H unless it starts a new epoch (which re-clusters). */
function assertCompatible(stored: LAConfig, storedN: number, cfg: LAConfig, n: number, what: string, midEpoch = false): void {
  const keys = ["resolution", "channels", "widthMultiplier", "embeddingDim", ...(midEpoch ? (["clusterings"] as const) : [])] as const;
  const bad = keys.filter((k) => stored[k] !== cfg[k]).map((k) => `${k} ${stored[k]} vs ${cfg[k]}`);
  if (storedN !== n && what === "resume") bad.push(`n ${storedN} vs ${n}`);
  if (bad.length) throw new Error(`cannot ${what} from checkpoint: ${bad.join(", ")}`);
}

/** Encoder tensors of `tensors` only (a fine-tune restarts the optimiser). */
function encoderTensors(tensors: Map<string, StoredTensor>): Map<string, StoredTensor> {
  return new Map([...tensors].filter(([name]) => name.startsWith("encoder/")));
}

async function fineTuneBank(src: { tensors: Map<string, StoredTensor>; n: number }, opts: TrainOptions): Promise<Float32Array> {
  const { config: cfg, n, pixels } = opts;
  const d = cfg.embeddingDim;
  const rows = new Float32Array(n * d);
  rows.set(src.tensors.get("bank")!.data.subarray(0, src.n * d));
  if (n > src.n) {
    const encoder = createEncoder(encoderConfigOf(cfg), cfg.seed);
    restoreEncoder(encoder, src.tensors);
    rows.set(await embed(encoder, pixels.subarray(src.n * cfg.resolution ** 2 * cfg.channels), n - src.n), src.n * d);
    disposeEncoder(encoder);
  }
  return rows;
}

export async function createRunState(opts: TrainOptions): Promise<{ init: EngineInit; run: RunState; resumedFromEpoch: number }> {
  const { config: cfg, n, pixels } = opts;
  const run: RunState = { epoch: 0, step: 0, permutation: new Int32Array(0), labels: identityLabels(cfg.clusterings, n), epochLosses: [], rng: new Rng(cfg.seed + 1) };
  const ckpt = await loadCheckpoint(opts.checkpointDir);
  if (ckpt) {
    assertCompatible(ckpt.config, ckpt.n, cfg, n, "resume", ckpt.step > 0);
    const labels = ckpt.config.clusterings === cfg.clusterings ? ckpt.labels.slice() : run.labels;
    Object.assign(run, { epoch: ckpt.epoch, step: ckpt.step, permutation: ckpt.permutation.slice(), labels, epochLosses: ckpt.epochLosses, rng: new Rng(ckpt.rngState) });
    return { init: { config: cfg, n, pixels, tensors: ckpt.tensors, bank: ckpt.tensors.get("bank")!.data, labels: run.labels }, run, resumedFromEpoch: ckpt.epoch };
  }
  if (opts.init) {
    const src = await loadCheckpoint(opts.init.fromCheckpointDir);
    if (!src) throw new Error(`no checkpoint to fine-tune from in ${opts.init.fromCheckpointDir}`);
    assertCompatible(src.config, src.n, cfg, n, "fine-tune");
    if (n < src.n) throw new Error(`fine-tune: collection has ${n} images, the source model was trained on ${src.n}`);
    return { init: { config: cfg, n, pixels, tensors: encoderTensors(src.tensors), bank: await fineTuneBank(src, opts), labels: run.labels }, run, resumedFromEpoch: 0 };
  }
  const encoder = createEncoder(encoderConfigOf(cfg), cfg.seed);
  const tensors = snapshotEncoder(encoder);
  disposeEncoder(encoder);
  return { init: { config: cfg, n, pixels, tensors, bank: MemoryBank.randomRows(n, cfg.embeddingDim, new Rng(cfg.seed + 2)), labels: run.labels }, run, resumedFromEpoch: 0 };
}


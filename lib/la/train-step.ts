/**
 * One optimiser step of IR or LA training (Zhuang et al., arXiv:1903.12355, Sec. 3; Wu et al. 2018):
 * augment the batch, v = f(x), loss (IR or LA) with its gradient, SGD with momentum and weight decay,
 * BN running statistics, then the memory-bank update with the step's embeddings (no gradient).
 *
 * SGD as PyTorch runs it (the reference port): g <- ∇ + λ·w (λ on conv/dense weights only, not BN or
 * biases), buf <- μ·buf + g, w <- w - lr·buf.
 * Tensor ownership: returns the step's loss (scalar) for the caller to dispose; nothing else survives.
 */
import * as tf from "@tensorflow/tfjs";
import { augmentBatch, gatherPixels } from "./augment";
import type { LAConfig } from "./config";
import { encodeTrain, layerSizes, normalizeInput, updateBatchNormStats, type Encoder } from "./encoder";
import { computeIRLoss, computeLALoss } from "./losses";
import type { MemoryBank } from "./memory-bank";
import type { Rng } from "./rng";

export type Phase = "ir" | "la";

export interface StepContext {
  config: LAConfig;
  encoder: Encoder;
  bank: MemoryBank;
  /** SGD momentum buffer per trainable parameter name. */
  momentum: Map<string, tf.Variable>;
  /** Cluster labels [H, N] int32 (LA only). */
  labels: tf.Tensor2D | null;
  pixels: Uint8Array;
  rng: Rng;
}

export function createMomentum(encoder: Encoder): Map<string, tf.Variable> {
  return new Map(encoder.params.filter((p) => p.kind !== "stat").map((p) => [p.name, tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false))]));
}

/** The loss of the batch's embeddings against the bank (dispatch by phase). */
export function computeLoss(ctx: StepContext, embeddings: tf.Tensor2D, idx: tf.Tensor1D, phase: Phase): tf.Scalar {
  const { config, bank } = ctx;
  if (phase === "ir") return computeIRLoss(embeddings, bank.bankT as tf.Tensor2D, idx, config.tau);
  if (!ctx.labels) throw new Error("LA step without cluster labels");
  return computeLALoss(embeddings, bank.bankT as tf.Tensor2D, idx, ctx.labels, config.kBg, config.tau);
}

function applySgd(ctx: StepContext, grads: tf.NamedTensorMap, lr: number): void {
  const { weightDecay, momentum: mu } = ctx.config;
  tf.tidy(() => {
    for (const p of ctx.encoder.params) {
      if (p.kind === "stat") continue;
      const g = p.kind === "weight" && weightDecay > 0 ? tf.add(grads[p.variable.name], tf.mul(p.variable, weightDecay)) : grads[p.variable.name];
      const buf = ctx.momentum.get(p.name)!;
      buf.assign(tf.add(tf.mul(buf, mu), g));
      p.variable.assign(tf.sub(p.variable, tf.mul(buf, lr)));
    }
  });
}

/** Runs one step on bank rows `batch` (distinct indices). Returns the loss; the caller disposes it. */
export function runTrainStep(ctx: StepContext, batch: Int32Array, phase: Phase, lr: number): tf.Scalar {
  const { config, encoder } = ctx;
  const res = config.resolution;
  const raw = gatherPixels(ctx.pixels, batch, res, config.channels); // [B, H, W, C]
  const aug = augmentBatch(raw, config.augmentation, ctx.rng);
  const x = normalizeInput(aug);
  tf.dispose([raw, aug]);
  const idx = tf.tensor1d(batch, "int32");
  let kept: { embeddings: tf.Tensor2D; moments: { mean: tf.Tensor1D; variance: tf.Tensor1D }[] } | undefined;
  const trainable = encoder.params.filter((p) => p.kind !== "stat").map((p) => p.variable);
  const { value, grads } = tf.variableGrads(() => {
    const out = encodeTrain(encoder, x);
    kept = out;
    // Kept past the tape: the bank update and BN statistics use them after the gradient.
    [out.embeddings, ...out.moments.flatMap((m) => [m.mean, m.variance])].forEach((t) => tf.keep(t));
    return computeLoss(ctx, out.embeddings, idx, phase);
  }, trainable);
  applySgd(ctx, grads, lr);
  tf.dispose(Object.values(grads));
  const { embeddings, moments } = kept!;
  updateBatchNormStats(encoder, moments, layerSizes(encoder.config).map((s) => batch.length * s * s));
  ctx.bank.update(idx, embeddings, config.bankMomentum);
  tf.dispose([x, idx, embeddings, ...moments.flatMap((m) => [m.mean, m.variance])]);
  return value;
}

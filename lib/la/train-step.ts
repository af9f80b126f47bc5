/**
 * One optimiser step of IR or LA training (Zhuang et al., arXiv:1903.12355, Sec. 3; Wu et al. 2018),
 * in two halves so that data-parallel workers can average gradients in between:
 *   computeGradients: augment the batch, v = f(x), loss (IR or LA) and its gradient;
 *   applyUpdate: SGD with momentum and weight decay, BN running statistics, then the memory-bank
 *   update with the step's embeddings (no gradient).
 *
 * SGD as PyTorch runs it (the reference port): g <- ∇ + λ·w (λ on conv/dense weights only, not BN or
 * biases), buf <- μ·buf + g, w <- w - lr·buf.
 * Tensor ownership: `computeGradients` returns tensors the caller passes to `applyUpdate` (which
 * disposes them) or disposes itself; `runTrainStep` returns the loss for the caller to dispose.
 */
import * as tf from "@tensorflow/tfjs";
import { augmentBatch, gatherPixels } from "./augment";
import type { LAConfig } from "./config";
import { encodeTrain, layerSizes, normalizeInput, updateBatchNormStats, type Encoder } from "./encoder";
import { computeIRLoss, computeLALoss } from "./losses";
import type { MemoryBank } from "./memory-bank";
import { Rng } from "./rng";

export type Phase = "ir" | "la";

export interface StepContext {
  config: LAConfig;
  encoder: Encoder;
  bank: MemoryBank;
  /** SGD momentum buffer per trainable parameter name. */
  momentum: Map<string, tf.Variable>;
  /** Cluster labels [H, N] row-major (LA only). */
  labels: Int32Array | null;
  pixels: Uint8Array;
}

export interface BatchMoments {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export interface StepGradients {
  loss: tf.Scalar;
  /** Gradient per trainable parameter name. */
  grads: Map<string, tf.Tensor>;
  /** [B, D] embeddings of the augmented views. */
  embeddings: tf.Tensor2D;
  moments: BatchMoments[];
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

/** Forward and backward pass on bank rows `batch`, augmented with randomness from `augSeed`. */
export function computeGradients(ctx: StepContext, batch: Int32Array, phase: Phase, augSeed: number): StepGradients {
  const { config, encoder } = ctx;
  const x = tf.tidy(() => normalizeInput(augmentBatch(gatherPixels(ctx.pixels, batch, config.resolution, config.channels), config.augmentation, new Rng(augSeed))));
  const idx = tf.tensor1d(batch, "int32");
  let kept: { embeddings: tf.Tensor2D; moments: BatchMoments[] } | undefined;
  const trainable = encoder.params.filter((p) => p.kind !== "stat");
  const { value, grads } = tf.variableGrads(() => {
    const out = encodeTrain(encoder, x);
    kept = out;
    // Kept past the tape: the bank update and BN statistics use them after the gradient.
    [out.embeddings, ...out.moments.flatMap((m) => [m.mean, m.variance])].forEach((t) => tf.keep(t));
    return computeLoss(ctx, out.embeddings, idx, phase);
  }, trainable.map((p) => p.variable));
  tf.dispose([x, idx]);
  return { loss: value, grads: new Map(trainable.map((p) => [p.name, grads[p.variable.name]])), embeddings: kept!.embeddings, moments: kept!.moments };
}

function applySgd(ctx: StepContext, grads: Map<string, tf.Tensor>, lr: number): void {
  const { weightDecay, momentum: mu } = ctx.config;
  tf.tidy(() => {
    for (const p of ctx.encoder.params) {
      if (p.kind === "stat") continue;
      const grad = grads.get(p.name)!;
      const g = p.kind === "weight" && weightDecay > 0 ? tf.add(grad, tf.mul(p.variable, weightDecay)) : grad;
      const buf = ctx.momentum.get(p.name)!;
      buf.assign(tf.add(tf.mul(buf, mu), g));
      p.variable.assign(tf.sub(p.variable, tf.mul(buf, lr)));
    }
  });
}

/**
 * SGD step, BN running statistics and bank update. Disposes grads, moments and embeddings.
 * batch: the bank rows of `embeddings` (distinct), in the same order.
 */
export function applyUpdate(ctx: StepContext, step: Omit<StepGradients, "loss">, batch: Int32Array, lr: number): void {
  applySgd(ctx, step.grads, lr);
  updateBatchNormStats(ctx.encoder, step.moments, layerSizes(ctx.encoder.config).map((s) => batch.length * s * s));
  const idx = tf.tensor1d(batch, "int32");
  ctx.bank.update(idx, step.embeddings, ctx.config.bankMomentum);
  tf.dispose([idx, step.embeddings, ...step.grads.values(), ...step.moments.flatMap((m) => [m.mean, m.variance])]);
}

/** One full step in process. Returns the loss; the caller disposes it. */
export function runTrainStep(ctx: StepContext, batch: Int32Array, phase: Phase, lr: number, augSeed: number): tf.Scalar {
  const { loss, ...rest } = computeGradients(ctx, batch, phase, augSeed);
  applyUpdate(ctx, rest, batch, lr);
  return loss;
}

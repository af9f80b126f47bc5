/**
 * The reference encoder f(x) of PRODUCT.md, written with TF.js core ops and our own variables (no
 * tf.layers: a flat, named variable list makes the optimiser, checkpoints and BN folding direct):
 *
 *   conv3x3(C->32w)-BN-ReLU, conv3x3(32w->64w, stride 2)-BN-ReLU, conv3x3(64w->64w)-BN-ReLU,
 *   conv3x3(64w->128w, stride 2)-BN-ReLU, conv3x3(128w->128w)-BN-ReLU, global average pool,
 *   dense D, L2 normalise                                   (w = widthMultiplier, D = embeddingDim)
 *
 * LA (arXiv:1903.12355, Sec. 3.1) uses f with no projection head, like IR (Wu et al. 2018, Sec. 3.1).
 * Deviations from the authors' ResNet/AlexNet: this small CNN; conv layers have no bias (BN follows).
 *
 * Notation: v = f(x) (`embeddings`, [B, D] float32, unit rows).
 * Batch norm: train mode normalises with batch moments (batch-norm.ts: fused with ReLU, analytic
 * gradient; the moments are returned so the caller can update running statistics after the step); inference mode folds the running statistics into
 * the convolution (one fused conv + bias + ReLU per layer).
 * Tensor ownership: `encode*` return new tensors that the caller disposes; variables belong to the
 * Encoder until `disposeEncoder`.
 */
import * as tf from "@tensorflow/tfjs";
import { computeBatchNormRelu } from "./batch-norm";
import { Rng } from "./rng";

export interface EncoderConfig {
  resolution: number;
  channels: 1 | 3;
  widthMultiplier: number;
  embeddingDim: number;
}

/** `weight` gets weight decay; `bn` and `bias` are trained without it; `stat` is BN running state. */
export type ParamKind = "weight" | "bn" | "bias" | "stat";

export interface Param {
  name: string;
  kind: ParamKind;
  variable: tf.Variable;
}

export interface Encoder {
  config: EncoderConfig;
  params: Param[];
}

interface ConvSpec {
  out: number;
  stride: number;
}

const BN_EPS = 1e-5;
let nextEncoderId = 0;
const BN_MOMENTUM = 0.1;

function convSpecs(w: number): ConvSpec[] {
  const c = (k: number) => Math.max(1, Math.round(k * w));
  return [
    { out: c(32), stride: 1 },
    { out: c(64), stride: 2 },
    { out: c(64), stride: 1 },
    { out: c(128), stride: 2 },
    { out: c(128), stride: 1 },
  ];
}

/** A new encoder with He-normal conv weights and PyTorch-style uniform dense init, from `seed`. */
export function createEncoder(config: EncoderConfig, seed: number): Encoder {
  const rng = new Rng(seed ^ 0x5eed);
  const params: Param[] = [];
  // TF.js variable names are global: prefix them so several encoders can coexist in one process.
  const prefix = `encoder${nextEncoderId++}`;
  const add = (name: string, kind: ParamKind, values: Float32Array, shape: number[]) =>
    params.push({ name, kind, variable: tf.tidy(() => tf.variable(tf.tensor(values, shape), kind !== "stat", `${prefix}/${name}`)) });
  const fill = (size: number, f: () => number) => Float32Array.from({ length: size }, f);
  let cin: number = config.channels;
  convSpecs(config.widthMultiplier).forEach(({ out }, l) => {
    const std = Math.sqrt(2 / (9 * cin));
    add(`conv${l}/w`, "weight", fill(9 * cin * out, () => std * rng.normal()), [3, 3, cin, out]);
    add(`conv${l}/gamma`, "bn", fill(out, () => 1), [out]);
    add(`conv${l}/beta`, "bn", fill(out, () => 0), [out]);
    add(`conv${l}/mean`, "stat", fill(out, () => 0), [out]);
    add(`conv${l}/var`, "stat", fill(out, () => 1), [out]);
    cin = out;
  });
  const bound = 1 / Math.sqrt(cin);
  add("dense/w", "weight", fill(cin * config.embeddingDim, () => rng.uniform(-bound, bound)), [cin, config.embeddingDim]);
  add("dense/b", "bias", fill(config.embeddingDim, () => rng.uniform(-bound, bound)), [config.embeddingDim]);
  return { config, params };
}

export function disposeEncoder(encoder: Encoder): void {
  for (const p of encoder.params) p.variable.dispose();
  encoder.params = [];
}

function byName(encoder: Encoder): Map<string, tf.Variable> {
  return new Map(encoder.params.map((p) => [p.name, p.variable]));
}

/** Maps uint8-range or [0,1] images to the network's input range. x: [B, H, W, C] in [0, 1]. */
export function normalizeInput(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(x, 0.5), 0.25));
}

function head(features: tf.Tensor4D, v: Map<string, tf.Variable>): tf.Tensor2D {
  const pooled = tf.mean(features, [1, 2]) as tf.Tensor2D; // [B, C5]
  const z = tf.add(tf.matMul(pooled, v.get("dense/w")!), v.get("dense/b")!); // [B, D]
  return tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-12)) as tf.Tensor2D; // [B, D], unit rows
}

/**
 * Train-mode forward pass: batch-norm with batch moments. Records on the gradient tape.
 * x: [B, H, W, C] normalised input. Returns embeddings [B, D] and per-layer batch moments; the moments
 * are kept out of surrounding tidies and belong to the caller.
 */
export function encodeTrain(encoder: Encoder, x: tf.Tensor4D): { embeddings: tf.Tensor2D; moments: { mean: tf.Tensor1D; variance: tf.Tensor1D }[] } {
  const v = byName(encoder);
  const moments: { mean: tf.Tensor1D; variance: tf.Tensor1D }[] = [];
  let h = x;
  convSpecs(encoder.config.widthMultiplier).forEach(({ stride }, l) => {
    const conv = tf.conv2d(h, v.get(`conv${l}/w`)! as tf.Tensor4D, stride, "same"); // [B, H_l, W_l, C_l]
    const { y, mean, variance } = computeBatchNormRelu(conv, v.get(`conv${l}/gamma`)!, v.get(`conv${l}/beta`)!, BN_EPS); // y [B, H_l, W_l, C_l]
    moments.push({ mean, variance });
    h = y;
  });
  return { embeddings: head(h, v), moments };
}

/**
 * Updates BN running statistics from the batch moments of a train step (PyTorch convention: momentum
 * 0.1, unbiased variance). `count` is the number of values each moment averaged (B * H_l * W_l).
 */
export function updateBatchNormStats(encoder: Encoder, moments: { mean: tf.Tensor1D; variance: tf.Tensor1D }[], counts: number[]): void {
  const v = byName(encoder);
  tf.tidy(() => {
    moments.forEach(({ mean, variance }, l) => {
      const rm = v.get(`conv${l}/mean`)!;
      const rv = v.get(`conv${l}/var`)!;
      const unbiased = tf.mul(variance, counts[l] / Math.max(1, counts[l] - 1));
      rm.assign(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      rv.assign(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
    });
  });
}

/** Spatial size after each conv layer, for BN moment counts. */
export function layerSizes(config: EncoderConfig): number[] {
  let s = config.resolution;
  return convSpecs(config.widthMultiplier).map(({ stride }) => (s = Math.ceil(s / stride)));
}

/**
 * Inference-mode forward pass: running statistics folded into each convolution
 * (w' = w γ/√(σ²+ε), b' = β - μ γ/√(σ²+ε)), one fused conv + bias + ReLU per layer.
 * x: [B, H, W, C] normalised input. Returns embeddings [B, D], unit rows.
 */
export function encodeInference(encoder: Encoder, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const v = byName(encoder);
    let h = x;
    convSpecs(encoder.config.widthMultiplier).forEach(({ stride }, l) => {
      const scale = tf.mul(v.get(`conv${l}/gamma`)!, tf.rsqrt(tf.add(v.get(`conv${l}/var`)!, BN_EPS))); // [C_l]
      const w = tf.mul(v.get(`conv${l}/w`)!, scale) as tf.Tensor4D; // [3, 3, C_{l-1}, C_l]
      const b = tf.sub(v.get(`conv${l}/beta`)!, tf.mul(v.get(`conv${l}/mean`)!, scale)); // [C_l]
      h = tf.fused.conv2d({ x: h, filter: w, strides: stride, pad: "same", bias: b, activation: "relu" });
    });
    return head(h, v);
  });
}

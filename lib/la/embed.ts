/**
 * Inference with a trained encoder: `embed` maps uint8 HWC images to unit embeddings v = f(x) with no
 * augmentation and batch norm in inference mode (running statistics folded into the convolutions).
 * `loadEncoder` restores the encoder of a checkpoint directory (see checkpoint.ts).
 *
 * Args: pixels [n, res, res, ch] uint8 HWC, row-major. Returns Float32Array [n, D], unit rows.
 * Tensor ownership: the Encoder owns its variables until `disposeEncoder`; `embed` leaves no tensors.
 */
import * as tf from "@tensorflow/tfjs";
import { gatherPixels } from "./augment";
import { loadCheckpoint, type StoredTensor } from "./checkpoint";
import { createEncoder, encodeInference, normalizeInput, type Encoder, type EncoderConfig } from "./encoder";
import type { LAConfig } from "./config";

const BATCH = 256;

export function encoderConfigOf(cfg: LAConfig): EncoderConfig {
  return { resolution: cfg.resolution, channels: cfg.channels, widthMultiplier: cfg.widthMultiplier, embeddingDim: cfg.embeddingDim };
}

/** Copies stored tensors ("encoder/<param>") into the encoder's variables; throws on a shape mismatch. */
export function restoreEncoder(encoder: Encoder, tensors: Map<string, StoredTensor>): void {
  for (const p of encoder.params) {
    const t = tensors.get(`encoder/${p.name}`);
    if (!t) throw new Error(`checkpoint lacks encoder parameter ${p.name}`);
    if (t.shape.join() !== p.variable.shape.join()) throw new Error(`encoder parameter ${p.name}: checkpoint shape [${t.shape}] vs model [${p.variable.shape}]`);
    tf.tidy(() => p.variable.assign(tf.tensor(t.data, t.shape)));
  }
}

/** The encoder's variables as stored tensors ("encoder/<param>"). */
export function snapshotEncoder(encoder: Encoder): Map<string, StoredTensor> {
  return new Map(encoder.params.map((p) => [`encoder/${p.name}`, { shape: p.variable.shape, data: p.variable.dataSync() as Float32Array }]));
}

export async function loadEncoder(checkpointDir: string): Promise<Encoder> {
  const ckpt = await loadCheckpoint(checkpointDir);
  if (!ckpt) throw new Error(`no checkpoint in ${checkpointDir}`);
  const encoder = createEncoder(encoderConfigOf(ckpt.config), ckpt.config.seed);
  restoreEncoder(encoder, ckpt.tensors);
  return encoder;
}

export async function embed(encoder: Encoder, pixels: Uint8Array, n: number): Promise<Float32Array> {
  const { resolution: res, channels: ch, embeddingDim: d } = encoder.config;
  if (pixels.length !== n * res * res * ch) throw new Error(`embed: ${pixels.length} bytes for n=${n} images of ${res}x${res}x${ch}`);
  const out = new Float32Array(n * d);
  for (let start = 0; start < n; start += BATCH) {
    const size = Math.min(BATCH, n - start);
    const idx = Int32Array.from({ length: size }, (_, i) => start + i);
    const v = tf.tidy(() => encodeInference(encoder, normalizeInput(gatherPixels(pixels, idx, res, ch))));
    out.set(await v.data(), start * d);
    v.dispose();
  }
  return out;
}

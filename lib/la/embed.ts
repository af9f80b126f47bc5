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
  await embedRange(encoder, pixels, 0, n, out);
  return out;
}

/** Embeds images [start, end) into their rows of `out` ([n, D]), in batches from `start`. */
export async function embedRange(encoder: Encoder, pixels: Uint8Array, start: number, end: number, out: Float32Array): Promise<void> {
  const { resolution: res, channels: ch, embeddingDim: d } = encoder.config;
  for (let first = start; first < end; first += BATCH) {
    const size = Math.min(BATCH, end - first);
    const idx = Int32Array.from({ length: size }, (_, i) => first + i);
    const v = tf.tidy(() => encodeInference(encoder, normalizeInput(gatherPixels(pixels, idx, res, ch))));
    out.set(await v.data(), first * d);
    v.dispose();
  }
}

/**
 * Images [start, end) of `rank` among `size` threads that embed n images together. Shares start at a
 * multiple of the batch, so every batch, and so every row's bits, is the one embed() computes.
 */
export function embedShare(n: number, rank: number, size: number): [number, number] {
  const per = Math.ceil(n / size / BATCH) * BATCH;
  return [Math.min(n, rank * per), Math.min(n, (rank + 1) * per)];
}

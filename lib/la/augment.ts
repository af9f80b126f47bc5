/**
 * Data augmentation of IR / LA (Wu et al. 2018, Sec. 4; LA arXiv:1903.12355, Sec. 4.1), on tensors:
 * random resized crop (area [cropAreaMin, cropAreaMax], aspect [aspectMin, aspectMax]) and horizontal
 * flip in one batched tf.image.cropAndResize (a flip is a box with x1 > x2), then brightness and
 * contrast jitter, and for colour images saturation, hue (a YIQ rotation, one 3x3 matrix per image)
 * and random grayscale.
 * Deviations from torchvision: the jitters run in a fixed order (torchvision shuffles them); hue is
 * rotated in YIQ space instead of HSV (cheap, linear, same effect on hue).
 * All random parameters come from the caller's Rng, so a resumed run replays the same views.
 *
 * x: [B, H, W, C] float32 in [0, 1]. Returns [B, H, W, C] in [0, 1]; the caller disposes it.
 */
import * as tf from "@tensorflow/tfjs";
import type { AugmentationConfig } from "./config";
import type { Rng } from "./rng";

/** Box [y1, x1, y2, x2] (normalised) of a torchvision-style RandomResizedCrop, flipped when asked. */
function sampleBox(a: AugmentationConfig, rng: Rng): number[] {
  const flip = a.hflip && rng.next() < 0.5;
  let box = [0, 0, 1, 1];
  const logLo = Math.log(a.aspectMin);
  const logHi = Math.log(a.aspectMax);
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = rng.uniform(a.cropAreaMin, a.cropAreaMax);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.sqrt(area * aspect);
    const h = Math.sqrt(area / aspect);
    if (w <= 1 && h <= 1) {
      const y = rng.uniform(0, 1 - h);
      const x = rng.uniform(0, 1 - w);
      box = [y, x, y + h, x + w];
      break;
    }
  }
  return flip ? [box[0], box[3], box[2], box[1]] : box;
}

/** Inverse of a row-major 3x3 matrix (adjugate / determinant). */
function inv3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = f * g - d * i;
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A, c * h - b * i, b * f - c * e, B, a * i - c * g, c * d - a * f, C, b * g - a * h, a * e - b * d].map((x) => x / det);
}

// RGB -> YIQ (NTSC); hue rotation is a rotation of the (I, Q) plane. The exact inverse (not the
// rounded published one) keeps a zero rotation the identity.
const RGB2YIQ = [0.299, 0.587, 0.114, 0.596, -0.274, -0.322, 0.211, -0.523, 0.312];
const YIQ2RGB = inv3(RGB2YIQ);

function mul3(a: number[], b: number[]): number[] {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) r[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return r;
}

/** Per-image colour matrix (transposed, for x @ M): hue rotation by 2π·h. */
function hueMatrixT(h: number): number[] {
  const c = Math.cos(2 * Math.PI * h);
  const s = Math.sin(2 * Math.PI * h);
  const m = mul3(YIQ2RGB, mul3([1, 0, 0, 0, c, -s, 0, s, c], RGB2YIQ));
  return [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
}

const jitter = (rng: Rng, amount: number) => (amount > 0 ? rng.uniform(1 - amount, 1 + amount) : 1);

function grayOf(x: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  return tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), 3, true) as tf.Tensor4D; // [B, H, W, 1]
}

export function augmentBatch(x: tf.Tensor4D, a: AugmentationConfig, rng: Rng): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const boxes: number[] = [];
  const bright: number[] = [];
  const contrast: number[] = [];
  const sat: number[] = [];
  const hue: number[] = [];
  for (let i = 0; i < b; i++) {
    boxes.push(...sampleBox(a, rng));
    bright.push(jitter(rng, a.brightness));
    contrast.push(jitter(rng, a.contrast));
    if (c === 3) {
      const gray = rng.next() < a.grayscaleProb;
      sat.push(gray ? 0 : jitter(rng, a.saturation));
      hue.push(...hueMatrixT(a.hue > 0 ? rng.uniform(-a.hue, a.hue) : 0));
    }
  }
  return tf.tidy(() => {
    const boxInd = tf.tensor1d(Array.from({ length: b }, (_, i) => i), "int32");
    let y = tf.image.cropAndResize(x, tf.tensor2d(boxes, [b, 4]), boxInd, [h, w], "bilinear"); // [B, H, W, C]
    y = tf.mul(y, tf.tensor4d(bright, [b, 1, 1, 1]));
    const mean = tf.mean(grayOf(y), [1, 2, 3], true); // [B, 1, 1, 1]
    y = tf.add(tf.mul(tf.sub(y, mean), tf.tensor4d(contrast, [b, 1, 1, 1])), mean);
    if (c === 3) {
      y = tf.clipByValue(y, 0, 1);
      if (a.hue > 0) {
        const rotated = tf.matMul(tf.reshape(y, [b, h * w, 3]), tf.tensor3d(hue, [b, 3, 3])); // [B, H*W, 3]
        y = tf.reshape(rotated, [b, h, w, 3]);
      }
      const gray = grayOf(y);
      y = tf.add(gray, tf.mul(tf.sub(y, gray), tf.tensor4d(sat, [b, 1, 1, 1])));
    }
    return tf.clipByValue(y, 0, 1);
  });
}

/** Gathers images `idx` of an HWC uint8 collection into a [B, H, W, C] float32 tensor in [0, 1]. */
export function gatherPixels(pixels: Uint8Array, idx: ArrayLike<number>, res: number, ch: number): tf.Tensor4D {
  const size = res * res * ch;
  const out = new Float32Array(idx.length * size);
  for (let i = 0; i < idx.length; i++) {
    const src = pixels.subarray(idx[i] * size, (idx[i] + 1) * size);
    for (let k = 0; k < size; k++) out[i * size + k] = src[k] / 255;
  }
  return tf.tensor4d(out, [idx.length, res, res, ch]);
}

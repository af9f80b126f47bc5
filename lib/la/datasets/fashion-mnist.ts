/**
 * Fashion-MNIST (Xiao et al. 2017) from its gzip IDX files (Debian `dataset-fashion-mnist`):
 * 60k train / 10k test, 28x28 grayscale, 10 classes. Returns uint8 HWC pixels (C = 1) and labels.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

export interface LabelledImages {
  pixels: Uint8Array;
  labels: Int32Array;
  n: number;
  resolution: number;
  channels: 1;
}

/** Parses an IDX file (magic 0x0000 08 <rank>, big-endian sizes, uint8 data). */
export function parseIdx(buf: Uint8Array): { shape: number[]; data: Uint8Array } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08) throw new Error("not a uint8 IDX file");
  const rank = view.getUint8(3);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = shape.reduce((a, b) => a * b, 1);
  if (buf.length < offset + size) throw new Error(`IDX file truncated: ${buf.length} bytes for shape [${shape}]`);
  return { shape, data: buf.subarray(offset, offset + size) };
}

async function readIdx(file: string): Promise<{ shape: number[]; data: Uint8Array }> {
  return parseIdx(gunzipSync(await fs.readFile(file)));
}

/** Loads a split; `limit` keeps the first images only. */
export async function loadFashionMnist(split: "train" | "test", limit?: number, dir = FASHION_MNIST_DIR): Promise<LabelledImages> {
  const prefix = split === "train" ? "train" : "t10k";
  const images = await readIdx(path.join(dir, `${prefix}-images-idx3-ubyte.gz`));
  const labels = await readIdx(path.join(dir, `${prefix}-labels-idx1-ubyte.gz`));
  const [total, h, w] = images.shape;
  if (labels.shape[0] !== total || h !== w) throw new Error(`unexpected Fashion-MNIST shapes [${images.shape}] / [${labels.shape}]`);
  const n = Math.min(total, limit ?? total);
  return { pixels: images.data.slice(0, n * h * w), labels: Int32Array.from(labels.data.subarray(0, n)), n, resolution: h, channels: 1 };
}

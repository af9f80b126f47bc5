import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "@/lib/tf/backend";
import { augmentBatch, gatherPixels } from "@/lib/la/augment";
import { defaultAugmentation, type AugmentationConfig } from "@/lib/la/config";
import { parseIdx } from "@/lib/la/datasets/fashion-mnist";
import { Rng } from "@/lib/la/rng";

const none: AugmentationConfig = { cropAreaMin: 1, cropAreaMax: 1, aspectMin: 1, aspectMax: 1, hflip: false, brightness: 0, contrast: 0, saturation: 0, hue: 0, grayscaleProb: 0 };

function images(b: number, s: number, c: number): tf.Tensor4D {
  const rng = new Rng(1);
  return tf.tensor4d(Float32Array.from({ length: b * s * s * c }, () => rng.next()), [b, s, s, c]);
}

describe("augmentBatch", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("is the identity with every augmentation off", () => {
    const x = images(3, 8, 3);
    const before = tf.memory().numTensors;
    const y = augmentBatch(x, none, new Rng(2));
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0])).toBeLessThan(1e-5);
    tf.dispose([x, y]);
  });

  it("flips horizontally through the crop box", () => {
    const x = images(64, 6, 1);
    const y = augmentBatch(x, { ...none, hflip: true }, new Rng(3));
    const [xs, ys] = [x.arraySync(), y.arraySync()];
    let flipped = 0;
    for (let i = 0; i < 64; i++) {
      const mirrored = xs[i].every((row, r) => row.every((px, col) => Math.abs(px[0] - ys[i][r][5 - col][0]) < 1e-5));
      const same = xs[i].every((row, r) => row.every((px, col) => Math.abs(px[0] - ys[i][r][col][0]) < 1e-5));
      expect(mirrored || same).toBe(true);
      if (mirrored) flipped++;
    }
    expect(flipped).toBeGreaterThan(16);
    expect(flipped).toBeLessThan(48);
    tf.dispose([x, y]);
  });

  it("stays in [0, 1], keeps the shape, and replays for a seed", () => {
    const x = images(8, 16, 3);
    const a = augmentBatch(x, defaultAugmentation(), new Rng(4));
    const b = augmentBatch(x, defaultAugmentation(), new Rng(4));
    const c = augmentBatch(x, defaultAugmentation(), new Rng(5));
    expect(a.shape).toEqual([8, 16, 16, 3]);
    const [lo, hi] = tf.tidy(() => [tf.min(a).dataSync()[0], tf.max(a).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([x, a, b, c]);
  });

  it("makes grayscale images with grayscaleProb 1 (colour only)", () => {
    const x = images(4, 5, 3);
    const y = augmentBatch(x, { ...none, grayscaleProb: 1 }, new Rng(6));
    const px = y.arraySync().flat(2);
    for (const [r, g, b] of px) expect(Math.max(Math.abs(r - g), Math.abs(g - b))).toBeLessThan(1e-5);
    tf.dispose([x, y]);
  });

  it("gathers uint8 HWC rows into [0, 1] floats", () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
    const t = gatherPixels(pixels, [2, 0], 2, 1);
    expect(Array.from(t.dataSync()).map((v) => Math.round(v * 255))).toEqual([160, 180, 200, 220, 0, 20, 40, 60]);
    t.dispose();
  });
});

describe("parseIdx", () => {
  it("reads a uint8 IDX header and data, and rejects other files", () => {
    const buf = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 7, 8, 9, 10]);
    expect(parseIdx(buf)).toEqual({ shape: [2, 1, 2], data: Uint8Array.from([7, 8, 9, 10]) });
    expect(() => parseIdx(Uint8Array.from([0, 0, 9, 1, 0, 0, 0, 0]))).toThrow(/not a uint8 IDX/);
    expect(() => parseIdx(buf.subarray(0, 18))).toThrow(/truncated/);
  });
});

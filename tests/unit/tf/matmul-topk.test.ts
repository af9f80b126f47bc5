import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { onCpuAndWasm, relError, seeded } from "./helpers";

describe.each([{ native: true }, { native: false }])("matMul on wasm (native $native) vs cpu", ({ native }) => {
  it.each([
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [7, 5], b: [7, 3], ta: true, tb: false },
    { a: [5, 7], b: [3, 7], ta: false, tb: true },
    { a: [7, 5], b: [3, 7], ta: true, tb: true },
    { a: [4, 5, 7], b: [4, 7, 3], ta: false, tb: false },
    { a: [4, 7, 5], b: [1, 3, 7], ta: true, tb: true }, // b broadcast over the batch
    { a: [2, 3, 5, 7], b: [7, 6], ta: false, tb: false }, // rank 4 against rank 2
    { a: [128, 128], b: [128, 3000], ta: false, tb: false }, // the bank similarities' shape, smaller
  ])("a=$a b=$b transposeA=$ta transposeB=$tb", async ({ a, b, ta, tb }) => {
    const { cpu, wasm } = await onCpuAndWasm(
      () => [tf.tidy(() => tf.matMul(tf.tensor(seeded(tf.util.sizeFromShape(a), 1), a), tf.tensor(seeded(tf.util.sizeFromShape(b), 2), b), ta, tb))],
      { native },
    );
    expect(wasm[0].length).toBe(cpu[0].length);
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-5);
  });
});

describe.each([{ native: true }, { native: false }])("topk on wasm (native $native) vs cpu", ({ native }) => {
  // Values rounded to 1/8 so that many ties exist: the order must put the lower index first.
  const values = Float32Array.from(seeded(6 * 500, 7), (v) => Math.round(v * 8) / 8);
  it.each([{ k: 1 }, { k: 17 }, { k: 500 }])("k=$k sorted", async ({ k }) => {
    const { cpu, wasm } = await onCpuAndWasm(() => tf.tidy(() => {
      const { values: v, indices } = tf.topk(tf.tensor2d(values, [6, 500]), k, true);
      return [v, tf.cast(indices, "float32")];
    }), { native });
    expect(Array.from(wasm[0])).toEqual(Array.from(cpu[0]));
    expect(Array.from(wasm[1])).toEqual(Array.from(cpu[1]));
  });

  // The LA loss's shape (k_bg of a 60k bank): the native kernel pre-filters by a sampled threshold here.
  it("should agree on a large row, sorted, with ties", async () => {
    const big = Float32Array.from(seeded(3 * 60000, 8), (v) => Math.round(v * 512) / 512);
    const { cpu, wasm } = await onCpuAndWasm(() => tf.tidy(() => {
      const { values: v, indices } = tf.topk(tf.tensor2d(big, [3, 60000]), 4096, true);
      return [v, tf.cast(indices, "float32")];
    }), { native });
    expect(Array.from(wasm[1])).toEqual(Array.from(cpu[1]));
  });

  it("should return the same set of indices unsorted", async () => {
    const k = 40;
    const { cpu, wasm } = await onCpuAndWasm(() => [tf.tidy(() => tf.cast(tf.topk(tf.tensor2d(values, [6, 500]), k, false).indices, "float32"))], { native });
    const rows = (a: Float32Array) => Array.from({ length: 6 }, (_, r) => [...a.subarray(r * k, (r + 1) * k)].sort((x, y) => x - y));
    expect(rows(wasm[0])).toEqual(rows(cpu[0]));
  });
});

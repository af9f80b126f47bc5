import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { onCpuAndWasm, relError, seeded } from "./helpers";

type ReduceCase = { shape: number[]; axis: number[]; keepDims: boolean };

// Contiguous blocks (the fast path: BatchNorm statistics, global pooling, full sums) and a few
// non-contiguous axes that fall back to the built-in.
const reduceCases: ReduceCase[] = [
  { shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: false },
  { shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: true },
  { shape: [3, 5, 5, 8], axis: [1, 2], keepDims: false },
  { shape: [3, 5, 5, 8], axis: [3], keepDims: true },
  { shape: [2, 3, 4], axis: [0, 1, 2], keepDims: false },
  { shape: [64, 33], axis: [0], keepDims: false },
  { shape: [3, 4, 5, 6], axis: [0, 2], keepDims: false },
  { shape: [3, 4, 5, 6], axis: [1, 3], keepDims: true },
];

describe("Sum and Mean on wasm vs cpu", () => {
  it.each(reduceCases)("shape=$shape axis=$axis keepDims=$keepDims", async ({ shape, axis, keepDims }) => {
    const values = seeded(tf.util.sizeFromShape(shape), 5);
    const { cpu, wasm } = await onCpuAndWasm(() =>
      tf.tidy(() => {
        const x = tf.tensor(values, shape);
        return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims), tf.sum(x, axis, keepDims).reshape([-1])];
      }),
    );
    for (let i = 0; i < cpu.length; i++) expect(relError(wasm[i], cpu[i])).toBeLessThan(1e-6);
  });

  it("should keep a long BatchNorm-sized reduction accurate", async () => {
    const shape = [128, 28, 28, 4];
    const values = seeded(tf.util.sizeFromShape(shape), 6).map((v) => v + 0.001);
    const { cpu, wasm } = await onCpuAndWasm(() => tf.tidy(() => [tf.sum(tf.tensor(values, shape), [0, 1, 2])]));
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-6);
  });
});

describe("Tile on wasm vs cpu", () => {
  it.each([
    { shape: [1, 1, 1, 5], reps: [3, 4, 5, 1] }, // whole copies (fast path)
    { shape: [1, 7], reps: [9, 1] },
    { shape: [2, 3], reps: [1, 1] },
    { shape: [2, 3], reps: [2, 3] }, // interleaved: built-in
    { shape: [1, 2, 1, 3], reps: [2, 1, 3, 1] },
  ])("shape=$shape reps=$reps", async ({ shape, reps }) => {
    const values = seeded(tf.util.sizeFromShape(shape), 7);
    const { cpu, wasm } = await onCpuAndWasm(() => tf.tidy(() => [tf.tile(tf.tensor(values, shape), reps)]));
    expect(wasm[0]).toEqual(cpu[0]);
  });
});

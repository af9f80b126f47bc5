import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { simplifyPermutation } from "@/lib/tf/kernels/transpose";
import { onCpuAndWasm, seeded } from "./helpers";

describe("simplifyPermutation", () => {
  it("should merge axes that stay adjacent and drop size-1 axes", () => {
    expect(simplifyPermutation([128, 14, 14, 64], [3, 1, 2, 0])).toEqual({ shape: [128, 196, 64], perm: [2, 1, 0] });
    expect(simplifyPermutation([128, 14, 14, 64], [1, 2, 0, 3])).toEqual({ shape: [128, 196, 64], perm: [1, 0, 2] });
    expect(simplifyPermutation([5, 1, 7], [2, 1, 0])).toEqual({ shape: [5, 7], perm: [1, 0] });
  });
});

describe("Transpose on wasm vs cpu", () => {
  it.each([
    { shape: [5, 3, 4, 9], perm: [3, 1, 2, 0] }, // NHWC -> CHWN (fast path)
    { shape: [13, 11], perm: [1, 0] },
    { shape: [17, 1, 6, 1], perm: [3, 2, 1, 0] },
    { shape: [4, 3, 5, 6], perm: [1, 2, 0, 3] }, // built-in
    { shape: [2, 3, 4, 5], perm: [0, 3, 1, 2] },
  ])("shape=$shape perm=$perm", async ({ shape, perm }) => {
    const values = seeded(tf.util.sizeFromShape(shape), 31);
    const { cpu, wasm } = await onCpuAndWasm(() => tf.tidy(() => [tf.transpose(tf.tensor(values, shape), perm)]));
    expect(wasm[0]).toEqual(cpu[0]);
  });
});

import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { registerWasmKernels } from "@/lib/tf/kernels";
import { loadNativeKernels } from "@/lib/tf/kernels/native";
import { onCpuAndWasm, relError, seeded, type Shape4 } from "./helpers";

type Case = { x: Shape4; filter: Shape4; stride: number; pad: "same" | "valid" };

// NHWC. Odd and even sizes, strides 1 and 2, both paddings, channel counts 1..17, batches 1..4.
const cases: Case[] = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], stride: 1, pad: "same" },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], stride: 1, pad: "valid" },
  { x: [1, 8, 8, 1], filter: [3, 3, 1, 8], stride: 2, pad: "same" },
  { x: [3, 9, 9, 2], filter: [3, 3, 2, 5], stride: 2, pad: "same" },
  { x: [2, 9, 8, 4], filter: [3, 3, 4, 6], stride: 2, pad: "valid" },
  { x: [4, 10, 10, 16], filter: [3, 3, 16, 17], stride: 2, pad: "valid" },
  { x: [2, 6, 7, 5], filter: [1, 1, 5, 3], stride: 1, pad: "same" },
  { x: [2, 11, 10, 3], filter: [5, 5, 3, 2], stride: 2, pad: "same" },
  { x: [1, 12, 12, 8], filter: [3, 3, 8, 8], stride: 1, pad: "same" },
  // A 1x1 filter with stride 2 leaves phases without taps: Conv2DBackpropInput falls back to the built-in.
  { x: [2, 8, 9, 3], filter: [1, 1, 3, 4], stride: 2, pad: "valid" },
];

describe("registerWasmKernels", () => {
  it("should register once and return the same names when called again", () => {
    const first = registerWasmKernels();
    expect(first.kernels).toEqual(expect.arrayContaining(["Conv2DBackpropFilter", "Conv2DBackpropInput"]));
    expect(registerWasmKernels()).toEqual(first);
  });

  it("should run the native addon's kernels, which setup builds", () => {
    expect(loadNativeKernels()).not.toBeNull();
    expect(registerWasmKernels()).toMatchObject({ native: true, kernels: expect.arrayContaining(["Conv2D", "BatchMatMul", "TopK"]) });
    expect(registerWasmKernels({ native: false })).toMatchObject({ native: false, kernels: expect.not.arrayContaining(["Conv2D"]) });
  });
});

describe.each([{ native: true }, { native: false }])("conv2d gradients on wasm (native $native) vs cpu", ({ native }) => {
  it.each(cases)("x=$x filter=$filter stride=$stride pad=$pad", async ({ x, filter, stride, pad }) => {
    const xValues = seeded(tf.util.sizeFromShape(x), 1);
    const wValues = seeded(tf.util.sizeFromShape(filter), 2);
    const { cpu, wasm } = await onCpuAndWasm(() =>
      tf.tidy(() => {
        const xs = tf.tensor4d(xValues, x);
        const ws = tf.tensor4d(wValues, filter);
        const y = tf.conv2d(xs, ws, stride, pad);
        // A random linear loss makes dy random, so every tap of the gradient is exercised.
        const r = tf.tensor(seeded(y.size, 3), y.shape);
        const loss = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).mul(r).sum();
        return [y, ...tf.grads(loss)([xs, ws])];
      }),
      { native },
    );
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-4); // y: Conv2D
    expect(relError(wasm[1], cpu[1])).toBeLessThan(1e-4); // dx: Conv2DBackpropInput
    expect(relError(wasm[2], cpu[2])).toBeLessThan(1e-4); // dW: Conv2DBackpropFilter
  });
});

describe.each([{ native: true }, { native: false }])("fused conv2d on wasm (native $native) vs cpu", ({ native }) => {
  it.each([
    { activation: "relu" as const, bias: [5] },
    { activation: "linear" as const, bias: [5] },
    { activation: "relu" as const, bias: null },
    { activation: "elu" as const, bias: [5] }, // not native: runs the built-in
  ])("activation $activation, bias $bias", async ({ activation, bias }) => {
    const x: Shape4 = [2, 9, 9, 3];
    const filter: Shape4 = [3, 3, 3, 5];
    const { cpu, wasm } = await onCpuAndWasm(() =>
      tf.tidy(() => [
        tf.fused.conv2d({
          x: tf.tensor4d(seeded(tf.util.sizeFromShape(x), 4), x),
          filter: tf.tensor4d(seeded(tf.util.sizeFromShape(filter), 5), filter),
          strides: 2,
          pad: "same",
          activation,
          ...(bias && { bias: tf.tensor1d(seeded(bias[0], 6)) }),
        }),
      ]),
      { native },
    );
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-4);
  });
});

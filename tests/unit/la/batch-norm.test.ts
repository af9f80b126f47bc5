import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "@/lib/tf/backend";
import { registerWasmKernels } from "@/lib/tf/kernels";
import { BN_RELU } from "@/lib/tf/kernels/native";
import { computeBatchNormRelu } from "@/lib/la/batch-norm";

function reference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.relu(tf.batchNorm(x, mean, variance, beta, gamma, 1e-5)) as tf.Tensor4D;
}

// wasm: the fused native kernels; wasm-ops: the same ops as on cpu, on WASM without the addon.
describe.each(["cpu", "wasm", "wasm-ops"] as const)("computeBatchNormRelu on %s", (variant) => {
  beforeAll(async () => {
    await useBackend(variant === "cpu" ? "cpu" : "wasm");
    registerWasmKernels({ native: variant === "wasm" });
  });

  it("runs the fused kernel exactly when the addon is in use", () => {
    expect(Boolean(tf.getKernel(BN_RELU, tf.getBackend()))).toBe(variant === "wasm");
  });

  it.each([
    [4, 5, 5, 3],
    [2, 3, 7, 8],
    [16, 1, 1, 4],
    [8, 6, 6, 32],
  ])("matches moments + batchNorm + relu and its autodiff gradient (%i x %i x %i x %i)", (b, h, w, c) => {
    const x = tf.randomNormal([b, h, w, c], 0.5, 2, "float32", 1) as tf.Tensor4D;
    const gamma = tf.randomUniform([c], 0.5, 1.5, "float32", 2) as tf.Tensor1D;
    const beta = tf.randomNormal([c], 0, 0.3, "float32", 3) as tf.Tensor1D;
    const probe = tf.randomNormal([b, h, w, c], 0, 1, "float32", 4);
    const before = tf.memory().numTensors;
    const [ours, ref, mean, variance] = tf.tidy(() => {
      const r = computeBatchNormRelu(x, gamma, beta, 1e-5);
      return [r.y, reference(x, gamma, beta), r.mean, r.variance];
    });
    const loss = (f: (a: tf.Tensor4D, g: tf.Tensor1D, bt: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, g: tf.Tensor, bt: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor4D, g as tf.Tensor1D, bt as tf.Tensor1D), probe));
    const gOurs = tf.grads(loss((a, g, bt) => {
      const r = computeBatchNormRelu(a, g, bt, 1e-5);
      tf.dispose([r.mean, r.variance]);
      return r.y;
    }))([x, gamma, beta]);
    const gRef = tf.grads(loss(reference))([x, gamma, beta]);
    const maxDiff = (a: tf.Tensor, r: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, r))).dataSync()[0] / Math.max(1e-6, tf.max(tf.abs(r)).dataSync()[0]));
    expect(maxDiff(ours, ref)).toBeLessThan(1e-5);
    gOurs.forEach((g, i) => expect(maxDiff(g, gRef[i])).toBeLessThan(1e-4));
    const refMoments = tf.moments(x, [0, 1, 2]);
    expect(maxDiff(mean, refMoments.mean)).toBeLessThan(1e-5);
    expect(maxDiff(variance, refMoments.variance)).toBeLessThan(1e-5);
    tf.dispose([ours, ref, mean, variance, ...gOurs, ...gRef, refMoments.mean, refMoments.variance]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gamma, beta, probe]);
  });
});

import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { batchNormTrain } from "@/lib/tf/kernels/batch-norm-train";
import { onCpuAndWasm, relError, seeded } from "./helpers";

type Shape4 = [number, number, number, number];

// Output and gradients (x, gamma, beta) of a random linear loss through batch normalisation.
function valueAndGrads(shape: Shape4, fused: boolean): tf.Tensor[] {
  return tf.tidy(() => {
    const c = shape[3];
    const x = tf.tensor4d(seeded(tf.util.sizeFromShape(shape), 41), shape).mul(2).add(0.5);
    const gamma = tf.tensor1d(seeded(c, 42)).add(1.2);
    const beta = tf.tensor1d(seeded(c, 43));
    const r = tf.tensor(seeded(tf.util.sizeFromShape(shape), 44), shape);
    const bn = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      if (fused) return batchNormTrain(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3);
    };
    const y = bn(x, gamma, beta);
    return [y, ...tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => bn(a, g, b).mul(r).sum())([x, gamma, beta])];
  });
}

describe("batchNormTrain", () => {
  it.each<{ shape: Shape4 }>([{ shape: [4, 5, 5, 3] }, { shape: [2, 8, 7, 16] }, { shape: [16, 2, 2, 1] }])(
    "should match moments + batchNorm (cpu) and run the same on wasm, shape=$shape",
    async ({ shape }) => {
      const reference = await onCpuAndWasm(() => valueAndGrads(shape, false));
      const fused = await onCpuAndWasm(() => valueAndGrads(shape, true));
      for (let i = 0; i < 4; i++) {
        expect(relError(fused.cpu[i], reference.cpu[i]), `cpu output ${i}`).toBeLessThan(1e-4);
        expect(relError(fused.wasm[i], reference.cpu[i]), `wasm output ${i}`).toBeLessThan(1e-4);
      }
    },
  );

  it("should reject per-channel parameters of the wrong size", () => {
    tf.tidy(() => {
      expect(() => batchNormTrain(tf.zeros([1, 2, 2, 3]), tf.ones([2]), tf.zeros([3]))).toThrow(/must be \[3\]/);
    });
  });
});

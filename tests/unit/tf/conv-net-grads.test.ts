import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { onCpuAndWasm, relError, seeded } from "./helpers";

// A small version of the reference CNN: conv+BN+ReLU, stride-2 conv+BN+ReLU, mean. Every gradient
// (both filters, BN scale and offset) goes through the project's kernels on wasm.
function gradsOfSmallNet(batch: number, size: number, channels: number): tf.Tensor[] {
  return tf.tidy(() => {
    const images = tf.tensor4d(seeded(batch * size * size * channels, 11), [batch, size, size, channels]);
    const f1 = tf.tensor4d(seeded(9 * channels * 8, 12), [3, 3, channels, 8]);
    const f2 = tf.tensor4d(seeded(9 * 8 * 6, 13), [3, 3, 8, 6]);
    const gamma = tf.tensor1d(seeded(8, 14)).add(1.5);
    const beta = tf.tensor1d(seeded(8, 15));
    const target = tf.tensor(seeded(batch * 6, 16), [batch, 6]);
    const loss = (w1: tf.Tensor, w2: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const z = tf.conv2d(images, w1 as tf.Tensor4D, 1, "same");
      const { mean, variance } = tf.moments(z, [0, 1, 2]);
      const h = tf.relu(tf.batchNorm(z, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5)) as tf.Tensor4D;
      const y = tf.relu(tf.conv2d(h, w2 as tf.Tensor4D, 2, "same")); // [B, ceil(size/2), ceil(size/2), 6]
      return tf.mean(y, [1, 2]).mul(target).sum() as tf.Scalar;
    };
    return tf.grads(loss)([f1, f2, gamma, beta]);
  });
}

describe.each([{ native: true }, { native: false }])("gradient of a small conv net on wasm (native $native) vs cpu", ({ native }) => {
  it.each([
    { batch: 4, size: 8, channels: 1 },
    { batch: 3, size: 9, channels: 3 },
    { batch: 8, size: 12, channels: 2 },
  ])("batch=$batch size=$size channels=$channels", async ({ batch, size, channels }) => {
    const { cpu, wasm } = await onCpuAndWasm(() => gradsOfSmallNet(batch, size, channels), { native });
    const names = ["conv1 filter", "conv2 filter", "BN scale", "BN offset"];
    names.forEach((name, i) => expect(relError(wasm[i], cpu[i]), name).toBeLessThan(1e-4));
  });
});

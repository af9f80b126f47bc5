/**
 * Training-mode batch norm fused with ReLU, with a hand-written gradient (Ioffe & Szegedy 2015,
 * Sec. 3, Alg. 1 and its backward pass):
 *   x̂ = (x - μ_B) / √(σ²_B + ε),  y = relu(γ·x̂ + β)
 *   ∂β = Σ g,  ∂γ = Σ g·x̂,  ∂x = γ/√(σ²_B + ε) · (g - ∂β/m - x̂·∂γ/m),  g = ∂y·[y > 0],  m = B·H·W
 * Autodiff through tf.moments + tf.batchNorm + tf.relu makes about twice as many full passes over the
 * activations (BN was about a third of a training step on WASM); this keeps forward and backward to a
 * few passes each. Checked against autodiff in tests/unit/la/batch-norm.test.ts.
 *
 * When the backend has the project's fused kernels (BN_RELU, BN_RELU_GRAD: WASM with the native addon),
 * forward and backward are one kernel each; elsewhere (cpu, tensorflow, WASM without the addon) ops.
 *
 * x: [B, H, W, C]; gamma, beta: [C]. Returns y [B, H, W, C] and the batch moments μ_B, σ²_B [C]
 * (biased), which the caller owns (kept out of any surrounding tidy, dispose them).
 */
import * as tf from "@tensorflow/tfjs";
import { BN_RELU, BN_RELU_GRAD } from "@/lib/tf/kernels/native";

export interface BatchNormResult {
  y: tf.Tensor4D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

function fusedBatchNormRelu(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): BatchNormResult {
  let moments: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, bt, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, variance] = tf.engine().runKernel(BN_RELU, { x: input, gamma: g, beta: bt }, { eps }) as tf.Tensor[];
    moments = { mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D };
    save([input, y, g, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys, gm, mu, v] = saved;
        return tf.engine().runKernel(BN_RELU_GRAD, { dy, x: xs, y: ys, gamma: gm, mean: mu, variance: v }, { eps }) as tf.Tensor[];
      },
    };
  });
  const y = f(x, gamma, beta) as tf.Tensor4D;
  return { y, ...moments! };
}

export function computeBatchNormRelu(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): BatchNormResult {
  if (tf.getKernel(BN_RELU, tf.getBackend())) return fusedBatchNormRelu(x, gamma, beta, eps);
  const [b, h, w, c] = x.shape;
  const m = b * h * w;
  let moments: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, bt, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const x2 = tf.reshape(input, [m, c]); // [m, C]
    const mean = tf.mean(x2, 0); // [C]
    const centred = tf.sub(x2, mean); // [m, C]
    const variance = tf.mean(tf.square(centred), 0); // [C]
    const rstd = tf.rsqrt(tf.add(variance, eps)); // [C]
    const xhat = tf.mul(centred, rstd); // [m, C]
    const y = tf.relu(tf.add(tf.mul(xhat, g), bt)); // [m, C]
    moments = { mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D };
    save([xhat, y, rstd, g]);
    return {
      value: tf.reshape(y, [b, h, w, c]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, out, rs, gm] = saved;
        const grad = tf.mul(tf.reshape(dy, [m, c]), tf.step(out)); // [m, C], ReLU mask
        const dBeta = tf.sum(grad, 0); // [C]
        const dGamma = tf.sum(tf.mul(grad, xh), 0); // [C]
        const centredGrad = tf.sub(tf.sub(grad, tf.div(dBeta, m)), tf.mul(xh, tf.div(dGamma, m))); // [m, C]
        const dx = tf.reshape(tf.mul(centredGrad, tf.mul(gm, rs)), [b, h, w, c]); // [B, H, W, C]
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = f(x, gamma, beta) as tf.Tensor4D;
  return { y, ...moments! };
}

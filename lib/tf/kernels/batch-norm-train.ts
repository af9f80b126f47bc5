/**
 * Training-mode batch normalisation over the batch and spatial axes of an NHWC tensor, with a hand-
 * written gradient (tf.customGrad). Not a kernel: an op for the encoder to use instead of
 * tf.moments + tf.batchNorm, on any backend.
 *
 *   forward:  mu, var = moments(x over N = B*H*W),  r = 1/sqrt(var + eps),  xhat = (x - mu) * r,
 *             y = gamma * xhat + beta
 *   backward: dbeta = sum(dy),  dgamma = sum(dy * xhat),
 *             dx = gamma * r * (dy - dbeta / N - xhat * dgamma / N)
 *
 * Why: TF.js differentiates moments + batchNorm op by op (FusedBatchNorm's gradient plus Mean's and
 * SquaredDifference's), about 30 full-tensor kernels per layer, several with broadcasts and Tile; this
 * gradient is 6 full-tensor kernels and 2 reductions. Same maths, so the same values up to rounding.
 *
 * Args: x [B, H, W, C] float32, gamma [C], beta [C], eps. Returns y [B, H, W, C] (caller disposes).
 * The batch statistics are not returned; a caller keeping running averages computes them apart.
 */
import * as tf from "@tensorflow/tfjs";

export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor4D {
  const channels = x.shape[3];
  if (gamma.shape[0] !== channels || beta.shape[0] !== channels) {
    throw new Error(`batchNormTrain: gamma ${gamma.shape} and beta ${beta.shape} must be [${channels}]`);
  }
  // customGrad passes tensors and the save function in one variadic list.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, scale, offset] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const { mean, variance } = tf.moments(xs, [0, 1, 2]); // [C]
    const rstd = tf.rsqrt(tf.add(variance, eps)); // [C]
    const xhat = tf.mul(tf.sub(xs, mean), rstd); // [B, H, W, C]
    save([xhat, scale, rstd]);
    return {
      value: tf.add(tf.mul(xhat, scale), offset),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedXhat, savedGamma, savedRstd] = saved;
        const n = dy.size / channels;
        const dbeta = tf.sum(dy, [0, 1, 2]); // [C]
        const dgamma = tf.sum(tf.mul(dy, savedXhat), [0, 1, 2]); // [C]
        const centred = tf.sub(tf.sub(dy, tf.div(dbeta, n)), tf.mul(savedXhat, tf.div(dgamma, n))); // [B, H, W, C]
        return [tf.mul(centred, tf.mul(savedGamma, savedRstd)), dgamma, dbeta];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

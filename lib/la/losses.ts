/**
 * The two training objectives, each with an analytic gradient (tf.customGrad):
 *
 * IR, instance recognition (Wu et al. 2018, Eq. 2 with the full softmax instead of NCE, the authors'
 * own small-data recipe):   L_i = -log softmax_j(s_ij / τ)[j = i]
 *
 * LA, local aggregation (Zhuang et al., arXiv:1903.12355, Sec. 3.2, Eq. 2-4):
 *   L_i = logsumexp_{j∈B_i}(s_ij/τ) - logsumexp_{j∈B_i∩C_i}(s_ij/τ)
 * which is -log(P(C_i∩B_i | v_i) / P(B_i | v_i)) of Eq. 4 in a form that does not overflow (the
 * normaliser Z cancels). B_i = the kBg bank rows with the largest s_ij (exact top-k), C_i = rows that
 * share i's cluster in at least one of the H clusterings.
 *
 * Reference code: neuroailab/LocalAggregation (TF), LocalAggregation-Pytorch. Deviations:
 *   - The gradient is written out instead of autodiff through a gather of the top-k rows (tf.topk has
 *     no gradient, and GatherV2's gradient needs UnsortedSegmentSum, which the WASM backend lacks):
 *     ∂L/∂s_ij = (p^B_ij - p^{B∩C}_ij) / (τ·B) for j in B_i, 0 elsewhere, where p^X is the softmax of
 *     s_i/τ restricted to X; ∂L/∂v_i = Σ_j ∂L/∂s_ij · v̄_j. Only top-k entries carry gradient, exactly as
 *     "top-k outside the gradient, dot products recomputed inside it". Checked against autodiff in tests.
 *   - i itself is always counted in B_i (and so in C_i): the authors' code does not exclude self and it
 *     is in the top-k almost always; forcing it makes an empty numerator impossible instead of relying
 *     on their `+ 1e-7`.
 *
 * Notation: v -> `embeddings` [B, D] unit rows; v̄ -> `bankT` [D, N] (transposed bank, constant here);
 * s_ij = v_i·v̄_j -> `sims` [B, N]; B_i -> `bgIdx` [B, k+1]; C_i -> `closeMask`; τ -> tau;
 * `idx` [B] int32 = bank rows of the batch; `labels` Int32Array [H, N] row-major cluster labels.
 * C_i membership, whether i is among its own top-k, and the gradient's (row, batch) pairs are computed in
 * JS from the downloaded top-k indices: on WASM, int32 gather + broadcast equal over [B, k, H] took
 * ~160 ms a step at B=128, k=4096, H=3, and equal / tile / stack over [B, k] ~95 ms; the JS loops ~5 ms. WASM and CPU execute ops synchronously, so the download does not stall a pipeline
 * (on a GPU backend it would).
 * Returns a scalar (mean over the batch) that the caller disposes (or that a tidy/variableGrads owns).
 */
import * as tf from "@tensorflow/tfjs";

const MASKED = 1e9;

/** dv = (bankT · dsT)ᵀ · scale, dsT [N, B] built sparsely from `pairs` [B*K, 2] = (bank row j, batch i). */
function gradFromSparse(bankT: tf.Tensor2D, pairs: tf.Tensor2D, values: tf.Tensor2D, n: number, scale: tf.Tensor): tf.Tensor2D {
  const [b, k] = values.shape;
  const dsT = tf.scatterND(pairs, tf.reshape(values, [b * k]), [n, b]); // [N, B], duplicates summed
  return tf.transpose(tf.mul(tf.matMul(bankT, dsT), scale)) as tf.Tensor2D; // [B, D]
}

function selfSims(sims: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor1D {
  const [b, n] = sims.shape;
  const flat = tf.add(tf.mul(tf.range(0, b, 1, "int32"), tf.scalar(n, "int32")), idx); // [B]
  return tf.gather(tf.reshape(sims, [b * n]), flat) as tf.Tensor1D; // [B]
}

/** Full-softmax instance recognition loss over the whole bank. */
export function computeIRLoss(embeddings: tf.Tensor2D, bankT: tf.Tensor2D, idx: tf.Tensor1D, tau: number): tf.Scalar {
  const n = bankT.shape[1];
  const b = embeddings.shape[0];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [v, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const logits = tf.matMul(tf.div(v, tau), bankT) as tf.Tensor2D; // [B, N] = v·v̄/τ, divided on [B, D] not [B, N]
    const probs = tf.softmax(logits) as tf.Tensor2D; // [B, N]
    const pSelf = selfSims(probs, idx); // [B]
    save([probs]);
    return {
      value: tf.neg(tf.mean(tf.log(pSelf))) as tf.Scalar,
      // ∂L/∂v_i = (Σ_j p_ij v̄_j - v̄_i) / (τ·B): no [B, N] transpose or one-hot copy (~40 ms a step on WASM).
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
        const own = tf.transpose(tf.gather(bankT, idx, 1)); // [B, D] the batch's own bank rows
        return tf.mul(tf.sub(tf.matMul(saved[0], bankT, false, true), own), tf.div(dy, tau * b)); // [B, D]
      },
    };
  });
  return f(embeddings) as tf.Scalar;
}

/**
 * Close-neighbour mask: 1 where bank row bgIdx[i][j] shares row batch[i]'s label in at least one
 * clustering. bgIdx [B, K] row-major, batch [B], labels [H, N] row-major. Returns [B, K] in {0, 1}.
 */
export function computeCloseMask(bgIdx: Int32Array, batch: Int32Array, labels: Int32Array, n: number): Float32Array {
  const b = batch.length;
  const k = bgIdx.length / b;
  const h = labels.length / n;
  const mask = new Float32Array(b * k);
  for (let i = 0; i < b; i++) {
    for (let hh = 0; hh < h; hh++) {
      const row = labels.subarray(hh * n, (hh + 1) * n);
      const own = row[batch[i]];
      for (let j = i * k; j < (i + 1) * k; j++) if (row[bgIdx[j]] === own) mask[j] = 1;
    }
  }
  return mask;
}

/**
 * B_i and C_i from the top-k indices [B, k], in JS (cheaper than int ops on WASM): the k neighbours plus
 * i itself as column k, counted in B_i only when the top-k missed it; the close mask within B_i; and the
 * (bank row, batch row) pairs of the sparse gradient. All [B, k+1] row-major (pairs [B*(k+1), 2]).
 */
function neighbourSets(top: Int32Array, batch: Int32Array, labels: Int32Array, n: number) {
  const b = batch.length;
  const k = top.length / b;
  const bgIdx = new Int32Array(b * (k + 1));
  const bgMask = new Float32Array(b * (k + 1)).fill(1);
  const pairs = new Int32Array(2 * b * (k + 1));
  for (let i = 0; i < b; i++) {
    const row = top.subarray(i * k, (i + 1) * k);
    bgIdx.set(row, i * (k + 1));
    bgIdx[i * (k + 1) + k] = batch[i];
    if (row.includes(batch[i])) bgMask[i * (k + 1) + k] = 0;
  }
  for (let j = 0; j < bgIdx.length; j++) {
    pairs[2 * j] = bgIdx[j];
    pairs[2 * j + 1] = Math.floor(j / (k + 1));
  }
  const closeMask = computeCloseMask(bgIdx, batch, labels, n);
  for (let j = 0; j < closeMask.length; j++) closeMask[j] *= bgMask[j];
  return { bgMask, closeMask, pairs };
}

/** Local aggregation loss with exact top-kBg background neighbours. */
export function computeLALoss(embeddings: tf.Tensor2D, bankT: tf.Tensor2D, idx: tf.Tensor1D, labels: Int32Array, kBg: number, tau: number): tf.Scalar {
  const n = bankT.shape[1];
  const b = embeddings.shape[0];
  if (kBg > n) throw new Error(`kBg ${kBg} exceeds the bank size ${n}`);
  if (labels.length % n !== 0) throw new Error(`labels: ${labels.length} values is not H x N for N = ${n}`);
  const batch = idx.dataSync() as Int32Array;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [v, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const sims = tf.matMul(v, bankT) as tf.Tensor2D; // [B, N]
    const top = tf.topk(sims, kBg, false); // values, indices [B, k]
    const sets = neighbourSets(top.indices.dataSync() as Int32Array, batch, labels, n);
    const logits = tf.div(tf.concat([top.values, tf.reshape(selfSims(sims, idx), [b, 1])], 1), tau); // [B, k+1]
    const bgMask = tf.tensor2d(sets.bgMask, [b, kBg + 1]);
    const closeMask = tf.tensor2d(sets.closeMask, [b, kBg + 1]);
    const pairs = tf.tensor2d(sets.pairs, [b * (kBg + 1), 2], "int32");
    // Each log-sum-exp with one exp (tf.logSumExp and the softmax of the gradient would take two).
    const shiftedExp = (mask: tf.Tensor) => {
      const masked = tf.add(logits, tf.mul(tf.sub(mask, 1), MASKED)); // [B, k+1], exp() = 0 outside the set
      const max = tf.max(masked, 1, true); // [B, 1]
      const e = tf.exp(tf.sub(masked, max));
      const sum = tf.sum(e, 1, true);
      return { p: tf.div(e, sum), lse: tf.add(max, tf.log(sum)) };
    };
    const bg = shiftedExp(bgMask);
    const close = shiftedExp(closeMask);
    save([pairs, tf.sub(bg.p, close.p)]); // P(j | B_i) - P(j | C_i)
    return {
      value: tf.mean(tf.sub(bg.lse, close.lse)) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) =>
        gradFromSparse(bankT, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D, n, tf.div(dy, tau * b)),
    };
  });
  return f(embeddings) as tf.Scalar;
}

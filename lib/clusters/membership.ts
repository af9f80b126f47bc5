/**
 * Soft membership of every image in the clusters of one scale.
 *
 * Centroids are normalised to unit length (the embeddings are unit rows, so x . c_hat is the cosine
 * similarity the rest of the service shows). For image i and cluster c:
 *
 *   w_ic = exp(s_ic / tau) / sum_c' exp(s_ic' / tau),   s_ic = x_i . c_hat_c
 *
 * a softmax over ALL clusters of the scale, of which only the top `topK` are kept: the kept weights sum
 * to at most 1, and an image far from every centroid keeps low weights instead of being forced to 1.
 * tau (LA_CLUSTER_TAU, default 0.05) is of the order of LA's own training temperature (0.07): cosine
 * gaps of ~0.1 between the nearest centroids then give weight ratios of e^2, so images between two
 * clusters show both and images well inside one show one.
 *
 * The hard cluster of an image is its rank-0 cluster (highest cosine to a unit centroid), so "members",
 * sizes and representatives all agree with the memberships.
 */
import * as tf from "@tensorflow/tfjs";

export interface SoftMemberships {
  /** [n * topK] cluster index per image and rank (-1 where fewer were kept). */
  clusters: Int32Array;
  /** [n * topK] weights, best first. */
  weights: Float32Array;
  /** [n * topK] cosine similarity to the cluster's unit centroid. */
  similarities: Float32Array;
  topK: number;
}

const CHUNK = 2048;

/** Rows of `centroids` [m, d] scaled to unit length (a zero row stays zero). */
export function normalizeRows(centroids: Float32Array, m: number, d: number): Float32Array {
  const out = new Float32Array(centroids.length);
  for (let c = 0; c < m; c++) {
    let norm = 0;
    for (let k = 0; k < d; k++) norm += centroids[c * d + k] ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < d; k++) out[c * d + k] = centroids[c * d + k] * inv;
  }
  return out;
}

/**
 * Args: data [n, d] unit rows, unitCentroids [m, d]. Keeps the topK = min(topK, m) strongest clusters per
 * image; ranks after the first whose weight is below `minWeight` are dropped (cluster -1, weight 0).
 */
export function computeSoftMemberships(
  data: Float32Array,
  n: number,
  d: number,
  unitCentroids: Float32Array,
  m: number,
  opts: { tau: number; topK: number; minWeight: number },
): SoftMemberships {
  const k = Math.min(opts.topK, m);
  const clusters = new Int32Array(n * k);
  const weights = new Float32Array(n * k);
  const similarities = new Float32Array(n * k);
  tf.tidy(() => {
    const cT = tf.transpose(tf.tensor2d(unitCentroids, [m, d])); // [d, m]: plain matMul is the fast path on WASM
    for (let start = 0; start < n; start += CHUNK) {
      const size = Math.min(CHUNK, n - start);
      tf.tidy(() => {
        const sims = tf.matMul(tf.tensor2d(data.subarray(start * d, (start + size) * d), [size, d]), cT); // [size, m]
        const lse = tf.logSumExp(tf.div(sims, opts.tau), 1, true); // [size, 1]
        const top = tf.topk(sims, k, true);
        const w = tf.exp(tf.sub(tf.div(top.values, opts.tau), lse));
        const idx = top.indices.dataSync() as Int32Array;
        const sim = top.values.dataSync() as Float32Array;
        const wv = w.dataSync() as Float32Array;
        for (let r = 0; r < size * k; r++) {
          const o = start * k + r;
          const keep = r % k === 0 || wv[r] >= opts.minWeight;
          clusters[o] = keep ? idx[r] : -1;
          weights[o] = keep ? wv[r] : 0;
          similarities[o] = keep ? sim[r] : 0;
        }
      });
    }
  });
  return { clusters, weights, similarities, topK: k };
}

/**
 * Weighted k-nearest-neighbour evaluation of an embedding (Wu et al. 2018, Sec. 3.4, Eq. 10; used for
 * LA in Zhuang et al., arXiv:1903.12355, Sec. 4.2): for each test embedding take its K most similar
 * training embeddings (cosine = dot product of unit rows), score class c by Σ exp(s/τ) over the
 * neighbours of class c, predict the argmax. Also 1-NN (the label of the most similar row).
 *
 * Args: train [nTrain, dim] and test [nTest, dim] float32 row-major unit rows; integer labels.
 * Returns percentages. Similarities run on the current TF.js backend in chunks of test rows.
 */
import * as tf from "@tensorflow/tfjs";

export interface KnnOptions {
  train: Float32Array;
  trainLabels: ArrayLike<number>;
  test: Float32Array;
  testLabels: ArrayLike<number>;
  dim: number;
  k?: number;
  tau?: number;
  /** Skip the test row's own index among train rows (when test rows are the train rows). */
  excludeSelf?: boolean;
}

export interface KnnResult {
  /** Weighted K-NN accuracy, percent. */
  knn: number;
  /** 1-NN accuracy, percent. */
  nn1: number;
  k: number;
}

const CHUNK = 512;

/**
 * For every query row, the k most similar database rows, most similar first.
 * Returns values [nq, k] float32 and indices [nq, k] int32, row-major.
 */
export function computeTopSimilar(queries: Float32Array, db: Float32Array, dim: number, k: number): { values: Float32Array; indices: Int32Array } {
  const nq = queries.length / dim;
  const ndb = db.length / dim;
  if (k > ndb) throw new Error(`k ${k} exceeds the database size ${ndb}`);
  const values = new Float32Array(nq * k);
  const indices = new Int32Array(nq * k);
  const dbT = tf.tidy(() => tf.transpose(tf.tensor2d(db, [ndb, dim]))); // [dim, ndb]
  try {
    for (let start = 0; start < nq; start += CHUNK) {
      const size = Math.min(CHUNK, nq - start);
      const [v, i] = tf.tidy(() => {
        const q = tf.tensor2d(queries.subarray(start * dim, (start + size) * dim), [size, dim]);
        const top = tf.topk(tf.matMul(q, dbT), k); // [size, k]
        return [top.values, top.indices];
      });
      values.set(v.dataSync() as Float32Array, start * k);
      indices.set(i.dataSync() as Int32Array, start * k);
      tf.dispose([v, i]);
    }
  } finally {
    dbT.dispose();
  }
  return { values, indices };
}

/**
 * Weighted vote over neighbours [start, end) of a computeTopSimilar result, using the first k that are
 * not `skip`. Returns the predicted label (ties: the smaller label).
 */
export function computeWeightedVote(values: Float32Array, indices: Int32Array, start: number, end: number, k: number, labels: ArrayLike<number>, tau: number, skip = -1): number {
  const scores = new Map<number, number>();
  let used = 0;
  for (let j = start; j < end && used < k; j++) {
    if (indices[j] === skip) continue;
    const c = labels[indices[j]];
    scores.set(c, (scores.get(c) ?? 0) + Math.exp(values[j] / tau));
    used++;
  }
  let best = -1;
  let bestScore = -Infinity;
  for (const [c, s] of scores) if (s > bestScore || (s === bestScore && c < best)) [best, bestScore] = [c, s];
  return best;
}

export function knnAccuracy(opts: KnnOptions): KnnResult {
  const { train, trainLabels, test, testLabels, dim } = opts;
  const tau = opts.tau ?? 0.07;
  const nTrain = train.length / dim;
  const nTest = test.length / dim;
  const k = Math.min(opts.k ?? 200, nTrain - (opts.excludeSelf ? 1 : 0));
  const fetchK = k + (opts.excludeSelf ? 1 : 0);
  const { values, indices } = computeTopSimilar(test, train, dim, fetchK);
  let correctK = 0;
  let correct1 = 0;
  for (let q = 0; q < nTest; q++) {
    const skip = opts.excludeSelf ? q : -1;
    const o = q * fetchK;
    if (computeWeightedVote(values, indices, o, o + fetchK, k, trainLabels, tau, skip) === testLabels[q]) correctK++;
    const first = indices[o] === skip ? indices[o + 1] : indices[o];
    if (trainLabels[first] === testLabels[q]) correct1++;
  }
  return { knn: (100 * correctK) / nTest, nn1: (100 * correct1) / nTest, k };
}

/** The raw-pixel baseline: each image's uint8 pixels as one L2-normalised row. Returns [n, dim]. */
export function computeRawPixelFeatures(pixels: Uint8Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += pixels[i * dim + k] ** 2;
    const inv = 1 / Math.sqrt(norm || 1);
    for (let k = 0; k < dim; k++) out[i * dim + k] = pixels[i * dim + k] * inv;
  }
  return out;
}

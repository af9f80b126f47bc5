/**
 * k-means (Lloyd) used by LA to find close neighbours C_i (Zhuang et al., arXiv:1903.12355, Sec. 3.2,
 * "clusterings": H runs with different seeds; the authors' code uses faiss k-means with seeds 1234+h)
 * and by the cluster explorer.
 *
 * As the reference code runs it: initial centroids = m distinct random rows; `iterations` Lloyd steps
 * on all points (squared Euclidean distance); an empty cluster is re-seeded by splitting the largest
 * cluster (its centroid is moved ±δ along a random direction, as faiss does).
 * Assignment runs on the current TF.js backend: argmax_c (x·c - ||c||²/2) = argmin_c ||x - c||², one
 * [chunk, D] x [D, m] matMul per chunk (plain layout; transposeB is slow on WASM), or the native
 * NEAREST_CENTROID kernel where it is registered (WASM with the project's addon). Centroid sums run
 * in JS (the WASM backend has no UnsortedSegmentSum).
 *
 * Args: data [n, d] float32 row-major. Returns labels [n] int32 in [0, m) (the assignment to the
 * returned centroids) and centroids [m, d] float32. Throws if m > n or m < 1.
 * Deterministic for a given seed on a given backend.
 */
import * as tf from "@tensorflow/tfjs";
import { NEAREST_CENTROID } from "@/lib/tf/kernels/native";
import { Rng } from "./rng";

export interface KMeansOptions {
  m: number;
  seed: number;
  iterations: number;
}

export interface KMeansResult {
  labels: Int32Array;
  centroids: Float32Array;
}

const CHUNK = 8192;
const SPLIT_EPS = 1e-3;

function assign(x: tf.Tensor2D, centroids: Float32Array, m: number, d: number): Int32Array {
  if (tf.getKernel(NEAREST_CENTROID, tf.getBackend())) {
    return tf.tidy(() => (tf.engine().runKernel(NEAREST_CENTROID, { x, centroids: tf.tensor2d(centroids, [m, d]) }) as tf.Tensor).dataSync() as Int32Array);
  }
  const n = x.shape[0];
  const labels = new Int32Array(n);
  tf.tidy(() => {
    const c = tf.tensor2d(centroids, [m, d]);
    const cT = tf.transpose(c); // [D, m]
    const halfNorms = tf.mul(tf.sum(tf.square(c), 1, true), 0.5); // [m, 1]
    const bias = tf.reshape(halfNorms, [1, m]); // [1, m]
    for (let start = 0; start < n; start += CHUNK) {
      const size = Math.min(CHUNK, n - start);
      const scores = tf.sub(tf.matMul(tf.slice(x, [start, 0], [size, d]), cT), bias); // [size, m]
      labels.set(tf.argMax(scores, 1).dataSync() as Int32Array, start);
    }
  });
  return labels;
}

function recompute(data: Float32Array, labels: Int32Array, m: number, d: number, rng: Rng): Float32Array {
  const sums = new Float64Array(m * d);
  const counts = new Float64Array(m);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    counts[c]++;
    const base = i * d;
    const cb = c * d;
    for (let k = 0; k < d; k++) sums[cb + k] += data[base + k];
  }
  const centroids = new Float32Array(m * d);
  for (let c = 0; c < m; c++) if (counts[c] > 0) for (let k = 0; k < d; k++) centroids[c * d + k] = sums[c * d + k] / counts[c];
  for (let e = 0; e < m; e++) {
    if (counts[e] > 0) continue;
    let big = 0;
    for (let c = 1; c < m; c++) if (counts[c] > counts[big]) big = c;
    for (let k = 0; k < d; k++) {
      const delta = SPLIT_EPS * rng.normal();
      const base = centroids[big * d + k];
      centroids[e * d + k] = base + delta;
      centroids[big * d + k] = base - delta;
    }
    counts[e] = counts[big] / 2;
    counts[big] /= 2;
  }
  return centroids;
}

export function kmeans(data: Float32Array, n: number, d: number, opts: KMeansOptions): KMeansResult {
  const { m, seed, iterations } = opts;
  if (data.length !== n * d) throw new Error(`kmeans: data has ${data.length} values, expected n*d = ${n * d}`);
  if (!(m >= 1 && m <= n)) throw new Error(`kmeans: m ${m} must be in [1, n = ${n}]`);
  const rng = new Rng(seed);
  const init = rng.permutation(n).subarray(0, m);
  let centroids: Float32Array = new Float32Array(m * d);
  init.forEach((row, c) => centroids.set(data.subarray(row * d, (row + 1) * d), c * d));
  const x = tf.tensor2d(data, [n, d]);
  try {
    for (let it = 0; it < iterations; it++) centroids = recompute(data, assign(x, centroids, m, d), m, d, rng);
    return { labels: assign(x, centroids, m, d), centroids };
  } finally {
    x.dispose();
  }
}

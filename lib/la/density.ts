/**
 * Local vs background density diagnostic (Zhuang et al., arXiv:1903.12355, Sec. 4.4 "Analysis": LA
 * raises the similarity of an image's closest neighbours much more than that of its wider background).
 *
 *   dens_loc(i) = mean similarity of row i to its kLocal (10) nearest bank rows, self excluded
 *   dens_bg(i)  = mean similarity of row i to its kBg nearest bank rows, self excluded
 *
 * Returns, as plain numbers: mean/std and a histogram of dens_loc, dens_bg and their difference, and
 * (when labels are given) leave-one-out weighted kNN accuracy binned by quantiles of the difference.
 * Args: rows [n, dim] float32 unit rows (the memory bank or embeddings). `sample` limits the query rows
 * (every row is still a candidate neighbour); it takes the first `sample` rows of a seeded permutation.
 */
import { computeTopSimilar, computeWeightedVote } from "./knn";
import { Rng } from "./rng";

export interface DensityOptions {
  rows: Float32Array;
  dim: number;
  kLocal?: number;
  kBg: number;
  labels?: ArrayLike<number>;
  /** Weighted kNN for the accuracy bins. */
  knnK?: number;
  tau?: number;
  bins?: number;
  sample?: number;
  seed?: number;
}

export interface Summary {
  mean: number;
  std: number;
  /** Histogram over [lo, hi) in `counts.length` equal bins. */
  lo: number;
  hi: number;
  counts: number[];
}

export interface DensityReport {
  local: Summary;
  background: Summary;
  difference: Summary;
  /** kNN accuracy (percent) per quantile bin of dens_loc - dens_bg, lowest difference first. */
  accuracyByDifference?: { lo: number; hi: number; count: number; accuracy: number }[];
}

function summarize(x: Float64Array, bins: number, lo: number, hi: number): Summary {
  let sum = 0;
  let sq = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  for (const v of x) sq += (v - mean) ** 2;
  const counts = new Array<number>(bins).fill(0);
  for (const v of x) counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)))]++;
  return { mean, std: Math.sqrt(sq / x.length), lo, hi, counts };
}

export function densityDiagnostic(opts: DensityOptions): DensityReport {
  const { rows, dim } = opts;
  const n = rows.length / dim;
  const kLocal = opts.kLocal ?? 10;
  const bins = opts.bins ?? 20;
  const knnK = Math.min(opts.knnK ?? 200, opts.kBg);
  if (opts.kBg + 1 > n) throw new Error(`kBg ${opts.kBg} must be below the number of rows ${n}`);
  const order = new Rng(opts.seed ?? 0).permutation(n).subarray(0, Math.min(n, opts.sample ?? n));
  const queries = new Float32Array(order.length * dim);
  order.forEach((r, q) => queries.set(rows.subarray(r * dim, (r + 1) * dim), q * dim));
  const fetch = opts.kBg + 1;
  const { values, indices } = computeTopSimilar(queries, rows, dim, fetch);
  const loc = new Float64Array(order.length);
  const bg = new Float64Array(order.length);
  const correct = new Uint8Array(order.length);
  order.forEach((self, q) => {
    let used = 0;
    let sLoc = 0;
    let sBg = 0;
    for (let j = q * fetch; j < (q + 1) * fetch && used < opts.kBg; j++) {
      if (indices[j] === self) continue;
      if (used < kLocal) sLoc += values[j];
      sBg += values[j];
      used++;
    }
    loc[q] = sLoc / kLocal;
    bg[q] = sBg / opts.kBg;
    if (opts.labels) correct[q] = computeWeightedVote(values, indices, q * fetch, (q + 1) * fetch, knnK, opts.labels, opts.tau ?? 0.07, self) === opts.labels[self] ? 1 : 0;
  });
  const diff = loc.map((v, q) => v - bg[q]);
  const report: DensityReport = {
    local: summarize(loc, bins, -1, 1),
    background: summarize(bg, bins, -1, 1),
    difference: summarize(diff, bins, 0, 1),
  };
  if (opts.labels) {
    const sorted = Array.from(diff.keys()).sort((a, b) => diff[a] - diff[b]);
    const q = Math.min(10, sorted.length);
    report.accuracyByDifference = Array.from({ length: q }, (_, b) => {
      const part = sorted.slice(Math.floor((b * sorted.length) / q), Math.floor(((b + 1) * sorted.length) / q));
      const hits = part.reduce((s, i) => s + correct[i], 0);
      return { lo: diff[part[0]], hi: diff[part[part.length - 1]], count: part.length, accuracy: (100 * hits) / part.length };
    });
  }
  return report;
}

/**
 * How class-consistent LA's neighbour sets are, on a labelled dataset. LA pulls an image towards its
 * close neighbours C_i ∩ B_i and away from the rest of its background B_i; this measures what those
 * sets hold, which bounds what LA can learn from them:
 *
 *   clusterPurity       mean over the H clusterings of Σ_clusters (largest class count) / N
 *   background          |B_i| and the fraction of B_i (self excluded) in i's class
 *   close               |C_i ∩ B_i| (self excluded), the fraction of it in i's class (over rows with a
 *                       close neighbour), and the fraction of B_i's same-class images that are in it
 *                       (recall, over rows with a same-class background image)
 *
 * Args: rows [n, dim] unit rows (the memory bank), clusterLabels [H, n] row-major, labels [n] classes.
 * `sample` query rows are the first of a seeded permutation (every row is still a candidate neighbour).
 */
import { computeTopSimilar } from "./knn";
import { Rng } from "./rng";

export interface CloseSetOptions {
  rows: Float32Array;
  dim: number;
  kBg: number;
  clusterLabels: Int32Array;
  labels: ArrayLike<number>;
  sample?: number;
  seed?: number;
}

export interface CloseSetReport {
  clusterPurity: number;
  background: { size: number; sameClass: number };
  close: { size: number; sameClass: number; recall: number };
}

function purity(clusters: Int32Array, labels: ArrayLike<number>): number {
  const counts = new Map<number, Map<number, number>>();
  for (let j = 0; j < clusters.length; j++) {
    const c = counts.get(clusters[j]) ?? new Map<number, number>();
    c.set(labels[j], (c.get(labels[j]) ?? 0) + 1);
    counts.set(clusters[j], c);
  }
  let majority = 0;
  for (const c of counts.values()) majority += Math.max(...c.values());
  return majority / clusters.length;
}

export function closeSetDiagnostic(opts: CloseSetOptions): CloseSetReport {
  const { rows, dim, kBg, clusterLabels, labels } = opts;
  const n = rows.length / dim;
  const h = clusterLabels.length / n;
  if (!Number.isInteger(h) || h < 1) throw new Error(`clusterLabels: ${clusterLabels.length} values is not H x N for N = ${n}`);
  if (kBg + 1 > n) throw new Error(`kBg ${kBg} must be below the number of rows ${n}`);
  const order = new Rng(opts.seed ?? 0).permutation(n).subarray(0, Math.min(n, opts.sample ?? n));
  const queries = new Float32Array(order.length * dim);
  order.forEach((r, q) => queries.set(rows.subarray(r * dim, (r + 1) * dim), q * dim));
  const fetch = kBg + 1;
  const { indices } = computeTopSimilar(queries, rows, dim, fetch);
  const sum = { bgSame: 0, close: 0, closeSame: 0, withClose: 0, recall: 0, withSame: 0 };
  order.forEach((self, q) => {
    let used = 0;
    let bgSame = 0;
    let close = 0;
    let closeSame = 0;
    for (let j = q * fetch; j < (q + 1) * fetch && used < kBg; j++) {
      const other = indices[j];
      if (other === self) continue;
      used++;
      const same = labels[other] === labels[self];
      let isClose = false;
      for (let c = 0; c < h && !isClose; c++) isClose = clusterLabels[c * n + other] === clusterLabels[c * n + self];
      if (same) bgSame++;
      if (isClose) close++;
      if (isClose && same) closeSame++;
    }
    sum.bgSame += bgSame / kBg;
    sum.close += close;
    if (close) {
      sum.closeSame += closeSame / close;
      sum.withClose++;
    }
    if (bgSame) {
      sum.recall += closeSame / bgSame;
      sum.withSame++;
    }
  });
  const mean = (x: number) => x / order.length;
  let clusterPurity = 0;
  for (let c = 0; c < h; c++) clusterPurity += purity(clusterLabels.subarray(c * n, (c + 1) * n), labels) / h;
  return {
    clusterPurity,
    background: { size: kBg, sameClass: mean(sum.bgSame) },
    close: { size: mean(sum.close), sameClass: sum.closeSame / Math.max(1, sum.withClose), recall: sum.recall / Math.max(1, sum.withSame) },
  };
}

/**
 * Stability of a cluster across seeded k-means runs of the same scale.
 *
 * For cluster c of the kept run, with s >= 2 members, and another run r that puts n_{c,l} of those
 * members into its cluster l:
 *
 *   together_r(c) = sum_l C(n_{c,l}, 2) / C(s, 2)
 *
 * the fraction of pairs of c's members that run r also puts in one cluster. stability(c) is the mean of
 * together_r(c) over the other runs: 1 when every seed finds the same group, near 1/k when the group is
 * cut into k equal parts each time. A cluster of one image has no pair to split and gets 1. It is the
 * same co-assignment idea LA's C_i uses (images sharing a label in the H clusterings), read per cluster.
 */

/**
 * Args: kept [n] cluster of each image in the kept run (0..m-1), others: the other runs' labels [n] each.
 * Returns stability per cluster of the kept run [m] (1 when there are no other runs).
 */
export function computeStability(kept: Int32Array, m: number, others: Int32Array[]): Float64Array {
  const stability = new Float64Array(m).fill(1);
  if (others.length === 0) return stability;
  const members: number[][] = Array.from({ length: m }, () => []);
  kept.forEach((c, i) => members[c].push(i));
  const sum = new Float64Array(m);
  for (const run of others) {
    if (run.length !== kept.length) throw new Error(`stability: a run has ${run.length} labels for ${kept.length} images`);
    for (let c = 0; c < m; c++) {
      const s = members[c].length;
      if (s < 2) continue;
      const counts = new Map<number, number>();
      for (const i of members[c]) counts.set(run[i], (counts.get(run[i]) ?? 0) + 1);
      let pairs = 0;
      for (const k of counts.values()) pairs += (k * (k - 1)) / 2;
      sum[c] += pairs / ((s * (s - 1)) / 2);
    }
  }
  for (let c = 0; c < m; c++) if (members[c].length >= 2) stability[c] = sum[c] / others.length;
  return stability;
}

/** The mean stability of an image's cluster (clusters weighted by size). */
export function meanStability(stability: ArrayLike<number>, sizes: ArrayLike<number>): number {
  let total = 0;
  let n = 0;
  for (let c = 0; c < sizes.length; c++) {
    total += stability[c] * sizes[c];
    n += sizes[c];
  }
  return n === 0 ? 0 : total / n;
}

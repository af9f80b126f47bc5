/**
 * How well a clustering matches ground-truth labels (evaluation only; labels never reach training).
 *
 *   purity = (1/N) * sum_c max_l n_{c,l}
 *     the fraction of images that carry their cluster's majority label. 1 for a perfect clustering, but
 *     it also rises towards 1 as clusters get smaller (N singletons have purity 1), so read it with NMI.
 *   NMI = 2 I(C; L) / (H(C) + H(L))   (arithmetic normalisation, as scikit-learn's default)
 *     I(C; L) = sum_{c,l} p(c,l) log(p(c,l) / (p(c) p(l))), H the entropies, natural log (it cancels).
 *     1 when clusters and labels determine each other, ~0 for independent ones; over-splitting is
 *     penalised through H(C).
 *
 * Both take parallel arrays of cluster ids and label ids over the same images (any integers).
 */

export interface Agreement {
  purity: number;
  nmi: number;
  n: number;
}

/** Counts n_{c,l} as a nested map, plus the marginals. */
function contingency(clusters: ArrayLike<number>, labels: ArrayLike<number>) {
  if (clusters.length !== labels.length) throw new Error(`quality: ${clusters.length} cluster ids for ${labels.length} labels`);
  const joint = new Map<number, Map<number, number>>();
  const byLabel = new Map<number, number>();
  for (let i = 0; i < clusters.length; i++) {
    const row = joint.get(clusters[i]) ?? new Map<number, number>();
    row.set(labels[i], (row.get(labels[i]) ?? 0) + 1);
    joint.set(clusters[i], row);
    byLabel.set(labels[i], (byLabel.get(labels[i]) ?? 0) + 1);
  }
  return { joint, byLabel };
}

function entropy(counts: Iterable<number>, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

export function computeAgreement(clusters: ArrayLike<number>, labels: ArrayLike<number>): Agreement {
  const n = clusters.length;
  if (n === 0) return { purity: 0, nmi: 0, n };
  const { joint, byLabel } = contingency(clusters, labels);
  let majority = 0;
  let mi = 0;
  const clusterSizes: number[] = [];
  for (const row of joint.values()) {
    let size = 0;
    let best = 0;
    for (const c of row.values()) {
      size += c;
      best = Math.max(best, c);
    }
    clusterSizes.push(size);
    majority += best;
    for (const [label, c] of row) mi += (c / n) * Math.log((c * n) / (size * byLabel.get(label)!));
  }
  const hC = entropy(clusterSizes, n);
  const hL = entropy(byLabel.values(), n);
  // Both partitions trivial (one cluster, one label): they agree completely.
  const nmi = hC + hL === 0 ? 1 : (2 * mi) / (hC + hL);
  return { purity: majority / n, nmi: Math.max(0, Math.min(1, nmi)), n };
}

/**
 * Carrying cluster names from one clustering to the next (a retrain, or a re-run of the cluster step).
 *
 * For a named old cluster A, the new cluster B holding most of A's members (images present in both)
 * inherits A's name when it holds more than half of them. Each new cluster takes at most one name:
 * candidates are served by overlap, largest first, so when two named clusters merge the one that
 * contributed more members wins.
 */

export interface NamedCluster {
  name: string;
  /** Image ids of the cluster's members (rank-0 memberships). */
  members: number[];
}

/**
 * Args: old named clusters, newLabel: image id -> new cluster index.
 * Returns new cluster index -> name.
 */
export function carryNames(old: NamedCluster[], newLabel: ReadonlyMap<number, number>): Map<number, string> {
  const candidates: { overlap: number; target: number; name: string }[] = [];
  for (const a of old) {
    const counts = new Map<number, number>();
    let present = 0;
    for (const id of a.members) {
      const b = newLabel.get(id);
      if (b === undefined) continue;
      present++;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    let best = -1;
    let overlap = 0;
    for (const [b, c] of counts) if (c > overlap || (c === overlap && b < best)) [best, overlap] = [b, c];
    if (best >= 0 && overlap * 2 > present) candidates.push({ overlap, target: best, name: a.name });
  }
  candidates.sort((x, y) => y.overlap - x.overlap || x.target - y.target);
  const names = new Map<number, string>();
  for (const c of candidates) if (!names.has(c.target)) names.set(c.target, c.name);
  return names;
}

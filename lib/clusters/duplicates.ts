/**
 * Near-duplicate groups: images whose embeddings are nearly identical (the same photo re-encoded,
 * resized, lightly edited). Pairs are searched only inside the clusters of the finest scale (with
 * ~10 images per cluster that is ~10 n dot products instead of n^2 / 2) and kept at cosine >= threshold;
 * groups are the connected components of those pairs.
 *
 * The threshold is calibrated on each model's own embedding: a near-duplicate must be closer than any
 * of RANDOM_PAIRS seeded random pairs, and never below LA_DUPLICATE_SIMILARITY (default 0.95).
 * A fixed cosine alone fails on a poorly spread embedding: after a short training, random pairs of a
 * 3.8k-image collection had a median cosine of 0.96, and a fixed 0.95 called 23k pairs duplicates.
 * Stored as models/<id>/duplicates.json.
 */
import fs from "node:fs/promises";
import { Rng } from "@/lib/la/rng";
import { keys, resolveKey, writeFileAtomic } from "@/lib/storage";

const RANDOM_PAIRS = 20_000;

/**
 * The near-duplicate cosine for an embedding: max(floor, the largest cosine among RANDOM_PAIRS seeded
 * random pairs of distinct rows, i.e. about its 99.995th percentile). Args: data [n, d] unit rows.
 */
export function calibrateDuplicateThreshold(data: Float32Array, n: number, d: number, floor: number, seed: number): number {
  if (n < 2) return floor;
  const rng = new Rng(seed);
  let max = -1;
  for (let p = 0; p < RANDOM_PAIRS; p++) {
    const i = rng.int(n);
    const j = (i + 1 + rng.int(n - 1)) % n; // any row but i
    let s = 0;
    for (let k = 0; k < d; k++) s += data[i * d + k] * data[j * d + k];
    if (s > max) max = s;
  }
  return Math.max(floor, max);
}

export interface NearDuplicates {
  version: 1;
  scale: string;
  threshold: number;
  pairs: number;
  /** Image ids per group (2 or more), largest groups first. */
  groups: number[][];
}

/** Groups of rows with cosine >= threshold inside each cluster. Args: data [n, d] unit rows, cluster [n]. */
export function findNearDuplicates(data: Float32Array, d: number, cluster: Int32Array, ids: number[], threshold: number): { pairs: number; groups: number[][] } {
  const n = cluster.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) members.set(cluster[i], [...(members.get(cluster[i]) ?? []), i]);
  let pairs = 0;
  for (const list of members.values()) {
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        let s = 0;
        const i = list[a] * d;
        const j = list[b] * d;
        for (let k = 0; k < d; k++) s += data[i + k] * data[j + k];
        if (s < threshold) continue;
        pairs++;
        parent[root(list[a])] = root(list[b]);
      }
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) byRoot.set(root(i), [...(byRoot.get(root(i)) ?? []), ids[i]]);
  const groups = [...byRoot.values()].filter((g) => g.length > 1).map((g) => g.sort((x, y) => x - y));
  groups.sort((x, y) => y.length - x.length || x[0] - y[0]);
  return { pairs, groups };
}

const duplicatesKey = (modelId: number) => `${keys.model(modelId)}/duplicates.json`;

export function writeDuplicates(modelId: number, dup: NearDuplicates): Promise<void> {
  return writeFileAtomic(resolveKey(duplicatesKey(modelId)), JSON.stringify(dup));
}

export async function readDuplicates(modelId: number): Promise<NearDuplicates | null> {
  try {
    return JSON.parse(await fs.readFile(resolveKey(duplicatesKey(modelId)), "utf8")) as NearDuplicates;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

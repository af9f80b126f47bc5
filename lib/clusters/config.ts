/**
 * Settings of the cluster step. Scales default to three k-means sizes spread over the collection:
 *   coarse ~ sqrt(n / 2)  (the usual rule of thumb for a handful of themes),
 *   fine   ~ n / 10       (about ten images per cluster: near-duplicates and tight groups),
 *   medium = the geometric mean of the two,
 * each clamped to [2, n] and kept only when strictly larger than the previous scale.
 */
import { env } from "@/lib/config/env";

export interface Scale {
  name: string;
  m: number;
}

export interface ClusterOptions {
  /** Explicit scales (name:m); when absent, defaultScales(n). */
  scales?: Scale[];
  /** Seeded runs per scale; seeds are `seed + h` (LA-SPEC: 1234 + h). */
  seeds: number;
  seed: number;
  iterations: number;
  tau: number;
  /** Memberships kept per image and scale. */
  topK: number;
  /** Ranks after the first below this weight are not stored. */
  minWeight: number;
  representatives: number;
  umapMax: number;
  umapNeighbors: number;
  umapEpochs: number;
  duplicateSimilarity: number;
}

export function defaultScales(n: number): Scale[] {
  const coarse = Math.round(Math.sqrt(n / 2));
  const fine = Math.round(n / 10);
  const wanted: Scale[] = [
    { name: "coarse", m: coarse },
    { name: "medium", m: Math.round(Math.sqrt(coarse * fine)) },
    { name: "fine", m: fine },
  ];
  const out: Scale[] = [];
  for (const s of wanted) {
    const m = Math.min(n, Math.max(2, s.m));
    if (out.length === 0 || m > out[out.length - 1].m) out.push({ name: s.name, m });
  }
  return out;
}

/** "coarse:10,fine:100" -> scales. */
export function parseScales(spec: string): Scale[] {
  return spec.split(",").map((part) => {
    const [name, m] = part.split(":");
    return { name, m: Number(m) };
  });
}

/** Scales for a collection of n images: explicit ones clamped to n (duplicates dropped), or the defaults. */
export function resolveScales(n: number, scales?: Scale[]): Scale[] {
  if (!scales) return defaultScales(n);
  const seen = new Set<string>();
  return scales.map((s) => ({ name: s.name, m: Math.min(n, Math.max(1, s.m)) })).filter((s) => !seen.has(s.name) && seen.add(s.name));
}

export function clusterOptions(overrides: Partial<ClusterOptions> = {}): ClusterOptions {
  const e = env();
  return {
    scales: e.LA_CLUSTER_SCALES ? parseScales(e.LA_CLUSTER_SCALES) : undefined,
    seeds: e.LA_CLUSTER_SEEDS,
    seed: 1234,
    iterations: e.LA_CLUSTER_ITERATIONS,
    tau: e.LA_CLUSTER_TAU,
    topK: 3,
    minWeight: 0.01,
    representatives: 6,
    umapMax: e.LA_MAP_UMAP_MAX,
    umapNeighbors: 15,
    umapEpochs: 200,
    duplicateSimilarity: e.LA_DUPLICATE_SIMILARITY,
    ...overrides,
  };
}

/**
 * A 2-D layout of the collection for the map.
 *
 * - UMAP (umap-js, McInnes et al. 2018) for up to LA_MAP_UMAP_MAX images: it keeps neighbourhoods, so
 *   clusters show as islands. The k nearest neighbours come from the caller (the model's FAISS index),
 *   which skips umap-js's pure-JS nearest-neighbour descent, its slowest part; distance = 1 - cosine.
 *   Random initial layout from a seeded generator, so the map is deterministic for a seed.
 * - PCA above that: the projection on the two leading eigenvectors of the embeddings' covariance
 *   (power iteration with deflation on the d x d matrix), linear in n and a second or two at 60k.
 *
 * Coordinates come back scaled into [0, 1] (same factor on both axes, so shapes are kept).
 */
import { UMAP } from "umap-js";
import { Rng } from "@/lib/la/rng";

import type { LayoutMethod } from "./map-format";

export type { LayoutMethod };

export interface Neighbours {
  /** [n][k] positions of each row's nearest other rows. */
  indices: number[][];
  /** [n][k] matching distances (1 - cosine). */
  distances: number[][];
}

export interface LayoutOptions {
  seed: number;
  nNeighbors: number;
  nEpochs: number;
  onEpoch?: (fraction: number) => void;
  shouldStop?: () => boolean;
}

/** Scales points [n, 2] into [0, 1] with one factor for both axes. */
function normalise(xy: Float32Array): Float32Array {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    minX = Math.min(minX, xy[i]);
    maxX = Math.max(maxX, xy[i]);
    minY = Math.min(minY, xy[i + 1]);
    maxY = Math.max(maxY, xy[i + 1]);
  }
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const offX = (1 - (maxX - minX) / span) / 2;
  const offY = (1 - (maxY - minY) / span) / 2;
  const out = new Float32Array(xy.length);
  for (let i = 0; i < xy.length; i += 2) {
    out[i] = offX + (xy[i] - minX) / span;
    out[i + 1] = offY + (xy[i + 1] - minY) / span;
  }
  return out;
}

/** PCA to two dimensions. Args: data [n, d]. Returns [n, 2] in [0, 1]. */
export function computePcaLayout(data: Float32Array, n: number, d: number, seed = 0): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += data[i * d + k] / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) row[k] = data[i * d + k] - mean[k];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];
  const rng = new Rng(seed);
  const axes: Float64Array[] = [];
  for (let axis = 0; axis < 2; axis++) {
    let v = Float64Array.from({ length: d }, () => rng.normal());
    for (let it = 0; it < 200; it++) {
      const next = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += cov[a * d + b] * v[b];
        next[a] = s;
      }
      for (const prev of axes) {
        let p = 0;
        for (let a = 0; a < d; a++) p += next[a] * prev[a];
        for (let a = 0; a < d; a++) next[a] -= p * prev[a];
      }
      const norm = Math.hypot(...next) || 1;
      v = next.map((x) => x / norm);
    }
    axes.push(v);
  }
  const xy = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let axis = 0; axis < 2; axis++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (data[i * d + k] - mean[k]) * axes[axis][k];
      xy[i * 2 + axis] = s;
    }
  }
  return normalise(xy);
}

/** UMAP to two dimensions with precomputed neighbours. Returns [n, 2] in [0, 1], or null when stopped. */
export async function computeUmapLayout(data: Float32Array, n: number, d: number, neighbours: Neighbours, opts: LayoutOptions): Promise<Float32Array | null> {
  const rng = new Rng(opts.seed);
  const umap = new UMAP({ nComponents: 2, nNeighbors: opts.nNeighbors, nEpochs: opts.nEpochs, minDist: 0.1, random: () => rng.next() });
  umap.setPrecomputedKNN(neighbours.indices, neighbours.distances);
  const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d)));
  const epochs = umap.initializeFit(rows);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) {
      opts.onEpoch?.(e / epochs);
      if (opts.shouldStop?.()) return null;
      // Let the worker's lease heartbeat and progress timers run.
      await new Promise((r) => setImmediate(r));
    }
  }
  const embedding = umap.getEmbedding();
  const xy = new Float32Array(n * 2);
  embedding.forEach(([x, y], i) => {
    xy[i * 2] = x;
    xy[i * 2 + 1] = y;
  });
  return normalise(xy);
}

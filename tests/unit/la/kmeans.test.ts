import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "@/lib/tf/backend";
import { registerWasmKernels } from "@/lib/tf/kernels";
import { NEAREST_CENTROID } from "@/lib/tf/kernels/native";
import { kmeans } from "@/lib/la/kmeans";
import { Rng } from "@/lib/la/rng";
import { randomUnitRows } from "./helpers";

/** `c` tight blobs of `per` points around random unit centres. */
function blobs(c: number, per: number, d: number, seed: number): { data: Float32Array; truth: Int32Array } {
  const centres = randomUnitRows(c, d, seed);
  const rng = new Rng(seed + 1);
  const data = new Float32Array(c * per * d);
  const truth = new Int32Array(c * per);
  for (let i = 0; i < c * per; i++) {
    truth[i] = i % c;
    for (let k = 0; k < d; k++) data[i * d + k] = centres[truth[i] * d + k] + 0.01 * rng.normal();
  }
  return { data, truth };
}

describe("kmeans", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("(d) returns m non-empty clusters when N >= m, deterministically for a seed", () => {
    const n = 300;
    const d = 8;
    const m = 40;
    const data = randomUnitRows(n, d, 5);
    const before = tf.memory().numTensors;
    const a = kmeans(data, n, d, { m, seed: 1234, iterations: 20 });
    expect(tf.memory().numTensors).toBe(before);
    const counts = new Array<number>(m).fill(0);
    for (const l of a.labels) counts[l]++;
    expect(counts.filter((c) => c > 0)).toHaveLength(m);
    expect(a.centroids).toHaveLength(m * d);
    const b = kmeans(data, n, d, { m, seed: 1234, iterations: 20 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    const c = kmeans(data, n, d, { m, seed: 1235, iterations: 20 });
    expect(Array.from(c.labels)).not.toEqual(Array.from(a.labels));
  });

  it("re-seeds empty clusters (m = N, with duplicate points)", () => {
    const d = 4;
    const base = randomUnitRows(10, d, 2);
    const data = new Float32Array(20 * d);
    data.set(base);
    data.set(base, 10 * d); // every point twice: some initial centroids coincide
    const { labels } = kmeans(data, 20, d, { m: 10, seed: 7, iterations: 10 });
    expect(new Set(labels).size).toBe(10);
  });

  it("never mixes well separated blobs in one cluster (m = 2x the blobs)", () => {
    const { data, truth } = blobs(5, 40, 16, 3);
    const { labels, centroids } = kmeans(data, 200, 16, { m: 10, seed: 1, iterations: 20 });
    const blobOf = new Map<number, number>();
    truth.forEach((t, i) => {
      expect(blobOf.get(labels[i]) ?? t).toBe(t);
      blobOf.set(labels[i], t);
    });
    // Returned labels are the assignment to the returned centroids.
    for (let i = 0; i < 200; i += 17) {
      const dist = (c: number) => data.subarray(i * 16, i * 16 + 16).reduce((s, x, k) => s + (x - centroids[c * 16 + k]) ** 2, 0);
      for (let c = 0; c < 10; c++) expect(dist(labels[i])).toBeLessThanOrEqual(dist(c) + 1e-5);
    }
  });

  it("rejects m > n", () => {
    expect(() => kmeans(new Float32Array(8), 2, 4, { m: 3, seed: 0, iterations: 1 })).toThrow(/m 3 must be in \[1, n = 2\]/);
  });
});

// wasm: the native assignment kernel (one sgemm and an argmax); wasm-ops: matMul, Sub and ArgMax in WASM.
describe.each(["wasm", "wasm-ops"] as const)("kmeans on %s", (variant) => {
  beforeAll(async () => {
    await useBackend("wasm");
    registerWasmKernels({ native: variant === "wasm" });
  });

  it("finds the clusters the cpu backend finds, and leaves no tensor", async () => {
    expect(Boolean(tf.getKernel(NEAREST_CENTROID, "wasm"))).toBe(variant === "wasm");
    const { data } = blobs(12, 150, 32, 9); // 1800 points: more than one chunk of the native kernel
    const before = tf.memory().numTensors;
    const here = kmeans(data, 1800, 32, { m: 24, seed: 4, iterations: 15 });
    expect(tf.memory().numTensors).toBe(before);
    await useBackend("cpu");
    const cpu = kmeans(data, 1800, 32, { m: 24, seed: 4, iterations: 15 });
    await useBackend("wasm");
    expect(Array.from(here.labels)).toEqual(Array.from(cpu.labels));
    let maxDiff = 0;
    for (let i = 0; i < cpu.centroids.length; i++) maxDiff = Math.max(maxDiff, Math.abs(here.centroids[i] - cpu.centroids[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });
});

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { carryNames } from "@/lib/clusters/carry-names";
import { defaultScales, parseScales, resolveScales } from "@/lib/clusters/config";
import { computePcaLayout } from "@/lib/clusters/layout";
import { decodeMap, encodeMap } from "@/lib/clusters/map-file";
import { calibrateDuplicateThreshold, findNearDuplicates } from "@/lib/clusters/duplicates";
import { computeSoftMemberships, normalizeRows } from "@/lib/clusters/membership";
import { computeAgreement } from "@/lib/clusters/quality";
import { computeStability, meanStability } from "@/lib/clusters/stability";
import { useBackend } from "@/lib/tf/backend";

describe("computeAgreement", () => {
  it("should give purity and NMI 1 for a relabelled perfect clustering", () => {
    expect(computeAgreement([2, 2, 0, 0, 1, 1], [0, 0, 1, 1, 2, 2])).toEqual({ purity: 1, nmi: 1, n: 6 });
  });

  it("should match a hand computation on a mixed case", () => {
    // Clusters {a,a,b} {b,b}: purity (2+2)/5; NMI by the formula with natural logs.
    const { purity, nmi } = computeAgreement([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]);
    const p = (x: number) => x / 5;
    const mi = p(2) * Math.log(p(2) / (p(3) * p(2))) + p(1) * Math.log(p(1) / (p(3) * p(3))) + p(2) * Math.log(p(2) / (p(2) * p(3)));
    const h = -(p(3) * Math.log(p(3)) + p(2) * Math.log(p(2)));
    expect(purity).toBeCloseTo(0.8, 12);
    expect(nmi).toBeCloseTo((2 * mi) / (h + h), 12);
  });

  it("should give NMI 0 when clusters say nothing about labels", () => {
    expect(computeAgreement([0, 1, 0, 1], [0, 0, 1, 1]).nmi).toBeCloseTo(0, 12);
  });
});

describe("computeStability", () => {
  it("should average the share of member pairs each other run keeps together", () => {
    const kept = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1]);
    const same = Int32Array.from([5, 5, 5, 5, 5, 5, 2, 2]);
    const cut = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]); // 3 of the 15 pairs of cluster 0 stay together
    const s = computeStability(kept, 2, [same, cut]);
    expect(s[0]).toBeCloseTo((1 + 3 / 15) / 2, 12);
    expect(s[1]).toBe(1);
    expect(meanStability(s, [6, 2])).toBeCloseTo((6 * s[0] + 2) / 8, 12);
    expect([...computeStability(kept, 2, [])]).toEqual([1, 1]);
  });
});

describe("computeSoftMemberships", () => {
  beforeAll(() => useBackend("cpu"));

  it("should keep the top clusters by weight, weights the full softmax, summing to at most 1", () => {
    const d = 2;
    const centroids = normalizeRows(Float32Array.from([1, 0, 0, 1, -1, 0, 0, -1]), 4, d);
    const data = Float32Array.from([1, 0, Math.SQRT1_2, Math.SQRT1_2]);
    const before = tf.memory().numTensors;
    const s = computeSoftMemberships(data, 2, d, centroids, 4, { tau: 0.5, topK: 2, minWeight: 0.01 });
    expect(tf.memory().numTensors).toBe(before);
    const z0 = Math.exp(2) + 2 * Math.exp(0) + Math.exp(-2);
    expect(s.clusters[0]).toBe(0);
    expect(s.weights[0]).toBeCloseTo(Math.exp(2) / z0, 5);
    expect(s.weights[1]).toBeCloseTo(1 / z0, 5);
    expect(s.weights[0] + s.weights[1]).toBeLessThan(1);
    // The second image sits between clusters 0 and 1: equal weights, both kept.
    expect([...s.clusters.subarray(2)].sort()).toEqual([0, 1]);
    expect(s.weights[2]).toBeCloseTo(s.weights[3], 5);
    expect(s.similarities[2]).toBeCloseTo(Math.SQRT1_2, 5);
  });

  it("should drop ranks below minWeight but always keep rank 0", () => {
    const centroids = normalizeRows(Float32Array.from([1, 0, -1, 0]), 2, 2);
    const s = computeSoftMemberships(Float32Array.from([1, 0]), 1, 2, centroids, 2, { tau: 0.05, topK: 3, minWeight: 0.01 });
    expect(s.topK).toBe(2);
    expect([...s.clusters]).toEqual([0, -1]);
    expect(s.weights[0]).toBeCloseTo(1, 5);
  });
});

describe("scales", () => {
  it("should spread coarse, medium and fine over n", () => {
    expect(defaultScales(60_000)).toEqual([{ name: "coarse", m: 173 }, { name: "medium", m: 1019 }, { name: "fine", m: 6000 }]);
    expect(defaultScales(4000)).toEqual([{ name: "coarse", m: 45 }, { name: "medium", m: 134 }, { name: "fine", m: 400 }]);
    expect(defaultScales(20)).toEqual([{ name: "coarse", m: 3 }]);
    expect(resolveScales(5, parseScales("a:2,b:9,a:3"))).toEqual([{ name: "a", m: 2 }, { name: "b", m: 5 }]);
  });
});

describe("carryNames", () => {
  it("should name the new cluster holding most of an old one's members, larger overlaps first", () => {
    const newLabel = new Map([[1, 0], [2, 0], [3, 0], [4, 1], [5, 1], [6, 0]]);
    const names = carryNames(
      [
        { name: "A", members: [1, 2, 3, 99] }, // 3 of its 3 present members in 0
        { name: "B", members: [6, 4, 5] }, // 2 of 3 in 1
        { name: "C", members: [1, 2] }, // also 0, but A overlaps more
        { name: "D", members: [4, 6] }, // split evenly: no majority
      ],
      newLabel,
    );
    expect(Object.fromEntries(names)).toEqual({ 0: "A", 1: "B" });
  });
});

describe("map file and PCA", () => {
  it("should round-trip the map bytes", () => {
    const map = { method: "pca" as const, scales: [{ name: "coarse", m: 2 }], n: 3, ids: Int32Array.from([4, 8, 9]), xy: Float32Array.from([0, 1, 0.5, 0.25, 1, 0]), labels: [Int32Array.from([0, 1, 1])] };
    expect(decodeMap(encodeMap(map))).toEqual(map);
  });

  it("should lay points of a line along one axis, inside [0, 1]", () => {
    const data = new Float32Array(30).map((_, i) => (i % 3 === 0 ? i / 3 : i % 3 === 1 ? 2 * (i - 1) / 3 : 0.001 * ((i * 7) % 5)));
    const xy = computePcaLayout(data, 10, 3);
    expect(xy.every((v) => v >= 0 && v <= 1)).toBe(true);
    const xs = Array.from({ length: 10 }, (_, i) => xy[2 * i]);
    const monotone = xs.every((x, i) => i === 0 || x > xs[i - 1]) || xs.every((x, i) => i === 0 || x < xs[i - 1]);
    expect(monotone).toBe(true);
  });
});

describe("findNearDuplicates", () => {
  it("should group rows at cosine >= threshold within one cluster, transitively", () => {
    const a = [1, 0];
    const b = [Math.cos(0.2), Math.sin(0.2)]; // cos(a, b) = 0.98
    const c = [Math.cos(0.4), Math.sin(0.4)]; // cos(b, c) = 0.98, cos(a, c) = 0.92
    const data = Float32Array.from([...a, ...b, ...c, ...a, 0, 1]);
    const { pairs, groups } = findNearDuplicates(data, 2, Int32Array.from([0, 0, 0, 1, 0]), [10, 11, 12, 13, 14], 0.95);
    expect(pairs).toBe(2);
    expect(groups).toEqual([[10, 11, 12]]); // 13 equals 10 but sits in another cluster
  });
});

describe("calibrateDuplicateThreshold", () => {
  /** n unit rows inside a narrow cone around one axis (a poorly spread embedding), rows 0 and 1 planted copies. */
  function cone(n: number, d: number, spread: number): Float32Array {
    let state = 7;
    const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = Array.from({ length: d }, (_, k) => (k === 0 ? 1 : spread * rand()));
      if (i === 1) row.splice(0, d, ...Array.from(data.subarray(0, d)).map((v, k) => v + (k === 1 ? 1e-4 : 0)));
      const norm = Math.hypot(...row);
      data.set(row.map((v) => v / norm), i * d);
    }
    return data;
  }

  it("should keep the floor on a well spread embedding", () => {
    const data = cone(400, 16, 100); // nearly isotropic
    expect(calibrateDuplicateThreshold(data, 400, 16, 0.95, 1)).toBe(0.95);
  });

  it("should rise above random pairs on a collapsed embedding, so only planted copies are duplicates", () => {
    const n = 400;
    const data = cone(n, 16, 0.3); // random pairs have cosine ~0.99
    const t = calibrateDuplicateThreshold(data, n, 16, 0.95, 1);
    expect(t).toBeGreaterThan(0.97);
    expect(calibrateDuplicateThreshold(data, n, 16, 0.95, 1)).toBe(t); // deterministic for a seed
    const oneCluster = new Int32Array(n);
    const ids = Array.from({ length: n }, (_, i) => i);
    expect(findNearDuplicates(data, 16, oneCluster, ids, 0.95).pairs).toBeGreaterThan(1000);
    const found = findNearDuplicates(data, 16, oneCluster, ids, t);
    expect(found.groups.some((g) => g.includes(0) && g.includes(1))).toBe(true);
    expect(found.pairs).toBeLessThan(0.0005 * (n * (n - 1)) / 2);
  });
});

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "@/lib/tf/backend";
import { closeSetDiagnostic } from "@/lib/la/close-sets";
import { densityDiagnostic } from "@/lib/la/density";
import { knnAccuracy } from "@/lib/la/knn";
import { Rng } from "@/lib/la/rng";
import { dot, randomUnitRows } from "./helpers";

describe("knnAccuracy", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("(e) with K=1 predicts the label of the most similar row", () => {
    const d = 8;
    const train = randomUnitRows(60, d, 1);
    const test = randomUnitRows(40, d, 2);
    const rng = new Rng(3);
    const trainLabels = Int32Array.from({ length: 60 }, () => rng.int(4));
    const nearest = Array.from({ length: 40 }, (_, q) => {
      let best = 0;
      for (let j = 1; j < 60; j++) if (dot(test, q, train, j, d) > dot(test, q, train, best, d)) best = j;
      return trainLabels[best];
    });
    // Test labels that agree with the 1-NN on the first half only: accuracy must be exactly 50%.
    const testLabels = Int32Array.from(nearest, (l, q) => (q < 20 ? l : (l + 1) % 4));
    const before = tf.memory().numTensors;
    const r1 = knnAccuracy({ train, trainLabels, test, testLabels, dim: d, k: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r1.knn).toBe(50);
    expect(r1.nn1).toBe(50);
  });

  it("weights votes by exp(s/τ): one very close neighbour beats two far ones", () => {
    const train = Float32Array.from([1, 0, 0.6, 0.8, 0.6, -0.8]); // labels 0, 1, 1
    const test = Float32Array.from([1, 0]);
    const r = knnAccuracy({ train, trainLabels: [0, 1, 1], test, testLabels: [0], dim: 2, k: 3, tau: 0.07 });
    expect(r.knn).toBe(100); // exp(1/.07) > 2 exp(.6/.07)
    const flat = knnAccuracy({ train, trainLabels: [0, 1, 1], test, testLabels: [0], dim: 2, k: 3, tau: 10 });
    expect(flat.knn).toBe(0); // nearly uniform weights: two votes win
  });

  it("excludeSelf skips the query's own row", () => {
    const rows = randomUnitRows(30, 6, 4);
    const labels = Int32Array.from({ length: 30 }, (_, i) => i); // every row its own class
    expect(knnAccuracy({ train: rows, trainLabels: labels, test: rows, testLabels: labels, dim: 6, k: 1 }).nn1).toBe(100);
    expect(knnAccuracy({ train: rows, trainLabels: labels, test: rows, testLabels: labels, dim: 6, k: 1, excludeSelf: true }).nn1).toBe(0);
  });
});

describe("densityDiagnostic", () => {
  it("finds higher local density in clustered than in uniform data, and bins kNN accuracy", () => {
    const d = 16;
    const centres = randomUnitRows(8, d, 5);
    const rng = new Rng(6);
    const n = 400;
    const clustered = new Float32Array(n * d);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 8;
      let norm = 0;
      for (let k = 0; k < d; k++) norm += (clustered[i * d + k] = centres[labels[i] * d + k] + 0.08 * rng.normal()) ** 2;
      for (let k = 0; k < d; k++) clustered[i * d + k] /= Math.sqrt(norm);
    }
    const before = tf.memory().numTensors;
    const c = densityDiagnostic({ rows: clustered, dim: d, kBg: 200, labels, knnK: 20 });
    expect(tf.memory().numTensors).toBe(before);
    const u = densityDiagnostic({ rows: randomUnitRows(n, d, 7), dim: d, kBg: 200 });
    expect(c.local.mean).toBeGreaterThan(0.8);
    expect(c.local.mean).toBeGreaterThan(u.local.mean + 0.3);
    expect(c.difference.mean).toBeGreaterThan(0.2);
    expect(c.local.counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect(c.accuracyByDifference).toHaveLength(10);
    expect(c.accuracyByDifference!.reduce((s, b) => s + b.count, 0)).toBe(n);
    expect(Math.min(...c.accuracyByDifference!.map((b) => b.accuracy))).toBeGreaterThan(90);
  });
});

describe("closeSetDiagnostic", () => {
  // Three tight groups of four rows on orthogonal axes; row 11 sits in group 2 but is labelled class 0.
  const d = 4;
  const n = 12;
  const rows = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const g = Math.floor(i / 4);
    rows[i * d + g] = 1;
    rows[i * d + 3] = 0.01 * (i % 4);
    const norm = Math.hypot(...rows.subarray(i * d, (i + 1) * d));
    for (let k = 0; k < d; k++) rows[i * d + k] /= norm;
  }
  const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 0];
  const split = [0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]; // group 0 split in two clusters

  it("measures cluster purity, the class share of B_i and C_i and the recall of C_i", () => {
    const r = closeSetDiagnostic({ rows, dim: d, kBg: 3, clusterLabels: Int32Array.from(split), labels });
    expect(r.clusterPurity).toBeCloseTo(11 / 12, 6);
    expect(r.background.sameClass).toBeCloseTo(10 / 12, 6);
    expect(r.close.size).toBeCloseTo((4 * 1 + 8 * 3) / 12, 6);
    expect(r.close.sameClass).toBeCloseTo(10 / 12, 6);
    // rows 0-3 reach 1 of their 3 same-class neighbours; row 11 has none and is left out
    expect(r.close.recall).toBeCloseTo((4 / 3 + 7) / 11, 6);
  });

  it("takes C_i as the union over the H clusterings", () => {
    const byGroup = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    const r = closeSetDiagnostic({ rows, dim: d, kBg: 3, clusterLabels: Int32Array.from([...split, ...byGroup]), labels });
    expect(r.close.size).toBeCloseTo(3, 6);
    expect(r.close.recall).toBeCloseTo(1, 6);
    expect(r.clusterPurity).toBeCloseTo(11 / 12, 6);
  });
});

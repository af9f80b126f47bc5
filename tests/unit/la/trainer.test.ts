import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "@/lib/tf/backend";
import { computeClusterLabels, disposeEncoder, embed, knnAccuracy, loadCheckpoint, loadEncoder, resolveConfig, train, type LAConfig } from "@/lib/la";
import { loadFashionMnist, type LabelledImages } from "@/lib/la/datasets/fashion-mnist";
import { createEncoder } from "@/lib/la/encoder";
import { embedShare, encoderConfigOf, snapshotEncoder } from "@/lib/la/embed";
import { LocalEngine } from "@/lib/la/engine";
import { MemoryBank } from "@/lib/la/memory-bank";
import { ParallelEngine } from "@/lib/la/parallel/pool";
import { Rng } from "@/lib/la/rng";

// Training runs on WASM (the pure-JS cpu backend needs minutes for one backward pass).
let root: string;
let data: LabelledImages;
const dir = (name: string) => path.join(root, name);

function smallConfig(n: number, overrides: Partial<LAConfig> = {}): LAConfig {
  return resolveConfig({ resolution: 28, channels: 1, widthMultiplier: 0.5, batchSize: 64, epochs: 2, warmupEpochs: 1, m: 8, kBg: 64, seed: 3, ...overrides }, n);
}

function maxAbsDiff(a: Float32Array | Int32Array, b: Float32Array | Int32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("train", () => {
  beforeAll(async () => {
    await useBackend("wasm");
    root = mkdtempSync(path.join(tmpdir(), "la-train-"));
    data = await loadFashionMnist("train", 512);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("resumes exactly after a stop mid-epoch and after a completed epoch", async () => {
    const n = 192;
    const pixels = data.pixels.subarray(0, n * 784);
    const config = smallConfig(n, { epochs: 3 });
    const tensorsBefore = tf.memory().numTensors;
    const straight = await train({ pixels, n, config, checkpointDir: dir("straight") });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(straight).toMatchObject({ status: "completed", epochs: 3, resumedFromEpoch: 0 });

    let steps = 0;
    const first = await train({ pixels, n, config, checkpointDir: dir("resumed"), onProgress: () => {}, shouldStop: () => ++steps === 2 });
    expect(first).toMatchObject({ status: "stopped", epochs: 0 });
    expect((await loadCheckpoint(dir("resumed")))!).toMatchObject({ epoch: 0, step: 2 });
    let epochs = 0;
    const second = await train({ pixels, n, config, checkpointDir: dir("resumed"), onEpoch: () => epochs++, shouldStop: () => epochs === 2 });
    expect(second).toMatchObject({ status: "stopped", epochs: 2, resumedFromEpoch: 0 });
    const third = await train({ pixels, n, config, checkpointDir: dir("resumed") });
    expect(third).toMatchObject({ status: "completed", epochs: 3, resumedFromEpoch: 2 });

    expect(maxAbsDiff(third.bank, straight.bank)).toBeLessThan(1e-4);
    expect(Array.from(third.labels)).toEqual(Array.from(straight.labels));
    expect(third.finalLoss).toBeCloseTo(straight.finalLoss, 3);
    const [a, b] = [await loadCheckpoint(dir("straight")), await loadCheckpoint(dir("resumed"))];
    for (const [name, t] of a!.tensors) expect(maxAbsDiff(t.data, b!.tensors.get(name)!.data), name).toBeLessThan(1e-4);
    // One generation of data files survives each save.
    expect(readdirSync(dir("resumed")).sort()).toEqual(["checkpoint.json", "ints-4.bin", "tensors-4.bin"]);
  });

  it("fine-tunes with a bank that grows by new images", async () => {
    const n0 = 128;
    const n = 192;
    const base = smallConfig(n0, { epochs: 1, warmupEpochs: 1 });
    await train({ pixels: data.pixels.subarray(0, n0 * 784), n: n0, config: base, checkpointDir: dir("base") });
    const src = (await loadCheckpoint(dir("base")))!;
    const encoder = await loadEncoder(dir("base"));
    const newRows = await embed(encoder, data.pixels.subarray(n0 * 784, n * 784), n - n0);
    disposeEncoder(encoder);
    let seen: Float32Array | undefined;
    const tuned = await train({
      pixels: data.pixels.subarray(0, n * 784),
      n,
      config: smallConfig(n, { epochs: 1, warmupEpochs: 0 }),
      checkpointDir: dir("tuned"),
      init: { fromCheckpointDir: dir("base") },
      shouldStop: () => true,
      onProgress: () => {},
    });
    expect(tuned.status).toBe("stopped");
    seen = (await loadCheckpoint(dir("tuned")))!.tensors.get("bank")!.data;
    // After one step only the batch rows changed: most old rows equal the source bank, new rows their embeddings.
    const d = 128;
    let oldSame = 0;
    let newSame = 0;
    for (let i = 0; i < n; i++) {
      const ref = i < n0 ? src.tensors.get("bank")!.data.subarray(i * d, (i + 1) * d) : newRows.subarray((i - n0) * d, (i - n0 + 1) * d);
      const same = maxAbsDiff(seen.subarray(i * d, (i + 1) * d), ref) < 1e-5;
      if (same && i < n0) oldSame++;
      if (same && i >= n0) newSame++;
    }
    expect(oldSame + newSame).toBe(n - 64);
    expect(newSame).toBeGreaterThan(0);
    await expect(train({ pixels: data.pixels.subarray(0, 64 * 784), n: 64, config: smallConfig(64, { m: 4 }), checkpointDir: dir("shrunk"), init: { fromCheckpointDir: dir("base") } })).rejects.toThrow(/collection has 64 images, the source model was trained on 128/);
  });

  it("refuses to resume a checkpoint of another architecture", async () => {
    const n = 128;
    await expect(train({ pixels: data.pixels.subarray(0, n * 784), n, config: smallConfig(n, { widthMultiplier: 0.25 }), checkpointDir: dir("base") })).rejects.toThrow(/widthMultiplier 0.5 vs 0.25/);
  });

  it("end to end: the loss falls and kNN accuracy is far above chance", async () => {
    const n = 512;
    const config = smallConfig(n, { epochs: 6, warmupEpochs: 3, m: 16, kBg: 128, lrDecayEpochs: [] });
    const losses: { phase: string; loss: number }[] = [];
    let progressCalls = 0;
    const result = await train({ pixels: data.pixels, n, config, checkpointDir: dir("e2e"), onEpoch: (e) => losses.push(e), onProgress: () => progressCalls++ });
    expect(result.status).toBe("completed");
    expect(progressCalls).toBeGreaterThanOrEqual(6);
    expect(losses.map((l) => l.phase)).toEqual(["ir", "ir", "ir", "la", "la", "la"]);
    // IR's first epochs contrast against a random bank (loss above log n); then it learns.
    expect(losses[2].loss).toBeLessThan(losses[0].loss - 2);
    // Re-clustering changes the LA target every epoch, so LA losses are only checked to be sane.
    for (const l of losses.slice(3)) {
      expect(l.loss).toBeGreaterThan(0);
      expect(l.loss).toBeLessThan(losses[2].loss);
    }
    const encoder = await loadEncoder(dir("e2e"));
    const test = await loadFashionMnist("test", 500);
    const feats = await embed(encoder, data.pixels, n);
    const testFeats = await embed(encoder, test.pixels, test.n);
    disposeEncoder(encoder);
    for (let i = 0; i < n; i++) expect(Math.hypot(...feats.subarray(i * 128, (i + 1) * 128))).toBeCloseTo(1, 4);
    const acc = knnAccuracy({ train: feats, trainLabels: data.labels, test: testFeats, testLabels: test.labels, dim: 128, k: 50 });
    expect(acc.knn).toBeGreaterThan(40); // 10 classes: chance is 10%
  });
});

describe("ParallelEngine", () => {
  beforeAll(async () => {
    await useBackend("wasm");
    data ??= await loadFashionMnist("train", 512);
  });

  it("keeps replicas identical across steps and re-clustering", async () => {
    const n = 256;
    const config = smallConfig(n, { batchSize: 63 });
    const encoder = createEncoder(encoderConfigOf(config), 1);
    const rng = new Rng(5);
    const init = { config, n, pixels: data.pixels.subarray(0, n * 784), tensors: snapshotEncoder(encoder), bank: MemoryBank.randomRows(n, 128, rng), labels: Int32Array.from({ length: 3 * n }, (_, i) => i % n) };
    disposeEncoder(encoder);
    const engine = await ParallelEngine.create(init, 2);
    try {
      const perm = rng.permutation(n);
      await engine.step(perm.subarray(0, 63), "ir", 0.03, 1);
      const labels = await engine.recluster();
      expect(new Set(labels.subarray(0, n)).size).toBe(config.m);
      await engine.step(perm.subarray(63, 126), "la", 0.03, 2);
      await engine.step(perm.subarray(126, 129), "la", 0.03, 3);
      expect(Number.isFinite(await engine.lastLoss())).toBe(true);
      const [a, b] = [await engine.snapshot(0), await engine.snapshot(1)];
      for (const [name, t] of a) expect(maxAbsDiff(t.data, b.get(name)!.data), name).toBe(0);
      // The bank moved only at the 129 batch rows.
      const bank = a.get("bank")!.data;
      const moved = Array.from({ length: n }, (_, i) => maxAbsDiff(bank.subarray(i * 128, (i + 1) * 128), init.bank.subarray(i * 128, (i + 1) * 128)) > 0);
      expect(moved.filter(Boolean)).toHaveLength(129);
      expect(Array.from(perm.subarray(0, 129)).every((i) => moved[i])).toBe(true);
    } finally {
      await engine.dispose();
    }
  });

  it("clusters fresh embeddings instead of the bank when clusterOn is 'embeddings', in this thread and on workers", async () => {
    const n = 400; // the two workers embed 256 and 144 of them
    expect([embedShare(n, 0, 2), embedShare(n, 1, 2)]).toEqual([[0, 256], [256, 400]]);
    const config = smallConfig(n, { clusterOn: "embeddings" });
    const encoder = createEncoder(encoderConfigOf(config), 2);
    const pixels = data.pixels.subarray(0, n * 784);
    const bank = MemoryBank.randomRows(n, 128, new Rng(6));
    const init = { config, n, pixels, tensors: snapshotEncoder(encoder), bank, labels: Int32Array.from({ length: 3 * n }, (_, i) => i % n) };
    const expected = computeClusterLabels(await embed(encoder, pixels, n), n, config);
    disposeEncoder(encoder);
    expect(maxAbsDiff(expected, computeClusterLabels(bank, n, config))).toBeGreaterThan(0);
    const local = new LocalEngine(init);
    const parallel = await ParallelEngine.create(init, 2);
    try {
      expect(Array.from(await local.recluster())).toEqual(Array.from(expected));
      expect(Array.from(await parallel.recluster())).toEqual(Array.from(expected));
    } finally {
      await local.dispose();
      await parallel.dispose();
    }
  });

  it("trains through train() with threads = 2 and resumes exactly", async () => {
    const n = 192;
    const pixels = data.pixels.subarray(0, n * 784);
    const config = smallConfig(n, { epochs: 2 });
    const straight = await train({ pixels, n, config, checkpointDir: dir("p-straight"), threads: 2 });
    expect(straight).toMatchObject({ status: "completed", epochs: 2, threads: 2 });
    let steps = 0;
    await train({ pixels, n, config, checkpointDir: dir("p-resumed"), threads: 2, onProgress: () => {}, shouldStop: () => ++steps === 4 });
    const resumed = await train({ pixels, n, config, checkpointDir: dir("p-resumed"), threads: 2 });
    expect(resumed.resumedFromEpoch).toBe(1);
    expect(maxAbsDiff(resumed.bank, straight.bank)).toBeLessThan(1e-4);
    expect(Array.from(resumed.labels)).toEqual(Array.from(straight.labels));
  });
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { VectorIndex } from "@/lib/vector/index-store";
import { ivfParams } from "@/lib/vector/ivf-params";

const D = 16;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "la-vector-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** n unit rows from a small LCG, so every run sees the same data. */
function unitRows(n: number, seed = 1): Float32Array {
  let s = seed;
  const out = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < D; j++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      out[i * D + j] = s / 2 ** 31 - 0.5;
      norm += out[i * D + j] ** 2;
    }
    for (let j = 0; j < D; j++) out[i * D + j] /= Math.sqrt(norm);
  }
  return out;
}

const row = (v: Float32Array, i: number) => v.slice(i * D, (i + 1) * D);
const ids = (n: number, first = 100) => Array.from({ length: n }, (_, i) => first + i);
const flatOpts = { ivfThreshold: 1_000_000, nprobe: 1 };
const ivfOpts = { ivfThreshold: 100, nprobe: 8 };

describe(VectorIndex.name, () => {
  describe("build and search", () => {
    it("should build an exact flat index below the IVF threshold and find each image first with score 1", () => {
      const v = unitRows(300);
      const index = VectorIndex.build(v, ids(300), D, flatOpts);
      expect(index.kind).toBe("flat");
      const [hits] = index.search(row(v, 42), { k: 5 });
      expect(hits[0].imageId).toBe(142);
      expect(hits[0].score).toBeCloseTo(1, 5);
      expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    });

    it("should leave out the excluded image, stop at the minimum score and clamp k to the size", () => {
      const v = unitRows(50);
      const index = VectorIndex.build(v, ids(50), D, flatOpts);
      const [withoutSelf] = index.search(row(v, 3), { k: 5, excludeImageId: 103 });
      expect(withoutSelf).toHaveLength(5);
      expect(withoutSelf.map((h) => h.imageId)).not.toContain(103);
      const [above] = index.search(row(v, 3), { k: 50, minScore: 0.3 });
      expect(above.every((h) => h.score >= 0.3)).toBe(true);
      expect(above.length).toBeLessThan(50);
      expect(index.search(row(v, 3), { k: 500 })[0]).toHaveLength(50);
    });

    it("should answer a batch of queries in one call", () => {
      const v = unitRows(100);
      const index = VectorIndex.build(v, ids(100), D, flatOpts);
      const results = index.search(v.slice(0, 4 * D), { k: 1 });
      expect(results.map((r) => r[0].imageId)).toEqual([100, 101, 102, 103]);
    });

    it("should build an IVF index at the threshold, with the configured nprobe", () => {
      const v = unitRows(400);
      const index = VectorIndex.build(v, ids(400), D, ivfOpts);
      expect(index.kind).toBe("ivf");
      expect(ivfParams((index as unknown as { index: Parameters<typeof ivfParams>[0] }).index)).toEqual({ nlist: 20, nprobe: 8 });
      for (const i of [0, 77, 399]) expect(index.search(row(v, i), { k: 1 })[0][0].imageId).toBe(100 + i);
    });

    it("should rank only the given images in searchAmong, exactly", () => {
      const v = unitRows(60);
      const index = VectorIndex.build(v, ids(60), D, flatOpts);
      const among = [110, 120, 130, 140];
      const hits = index.searchAmong(row(v, 20), among, { k: 3, excludeImageId: 120 });
      expect(hits).toHaveLength(3);
      expect(hits.every((h) => among.includes(h.imageId) && h.imageId !== 120)).toBe(true);
      const exact = index.search(row(v, 20), { k: 60 })[0].filter((h) => among.includes(h.imageId) && h.imageId !== 120);
      expect(hits.map((h) => h.imageId)).toEqual(exact.map((h) => h.imageId));
    });

    it("should refuse mismatched shapes and duplicate ids", () => {
      expect(() => VectorIndex.build(unitRows(3), ids(2), D, flatOpts)).toThrow(/expected 2 x 16/);
      expect(() => VectorIndex.build(unitRows(2), [1, 1], D, flatOpts)).toThrow(/unique/);
    });
  });

  describe("append and remove", () => {
    it.each([
      ["flat", flatOpts],
      ["ivf", ivfOpts],
    ])("should serve appended images at once and never return removed ones (%s)", (_kind, opts) => {
      const v = unitRows(260);
      const index = VectorIndex.build(v.slice(0, 200 * D), ids(200), D, opts);
      index.remove([105, 106]);
      expect(index.has(105)).toBe(false);
      expect(index.search(row(v, 5), { k: 10 })[0].map((h) => h.imageId)).not.toContain(105);
      index.append(ids(60, 300), v.slice(200 * D));
      expect(index.size).toBe(258);
      expect(index.search(row(v, 230), { k: 1 })[0][0].imageId).toBe(330);
      expect(index.vectorOf(330)).toEqual(row(v, 230));
      expect(() => index.append([300], row(v, 0))).toThrow(/already indexed/);
    });

    it("should compact away removed rows, keeping the survivors' answers", () => {
      const v = unitRows(200);
      const index = VectorIndex.build(v, ids(200), D, flatOpts);
      index.remove(ids(40));
      expect(index.needsCompaction).toBe(true);
      const compact = index.compact(flatOpts);
      expect(compact.rows).toBe(160);
      expect(compact.search(row(v, 150), { k: 5 })).toEqual(index.search(row(v, 150), { k: 5 }));
    });
  });

  describe("files", () => {
    it.each([
      ["flat", flatOpts, 1],
      ["ivf", ivfOpts, 2],
    ])("should read back what it wrote, tombstones included (%s)", async (_kind, opts, modelId) => {
      const v = unitRows(300);
      const index = VectorIndex.build(v, ids(300), D, opts);
      index.remove([110]);
      await index.save(modelId, root);
      const loaded = await VectorIndex.load(modelId, opts, root);
      expect(loaded.kind).toBe(index.kind);
      expect(loaded.size).toBe(299);
      expect(loaded.has(110)).toBe(false);
      expect(loaded.vectorOf(250)).toEqual(row(v, 150));
      expect(loaded.search(row(v, 7), { k: 8 })).toEqual(index.search(row(v, 7), { k: 8 }));
      const files = fs.readdirSync(path.join(root, `models/${modelId}`)).sort();
      expect(files).toEqual(["index.faiss", "index.ids.json", "index.vectors.f32"]);
    });

    it("should take the vectors of a flat index from its FAISS file when there is no vectors file", async () => {
      const v = unitRows(30);
      await VectorIndex.build(v, ids(30), D, flatOpts).save(3, root);
      fs.rmSync(path.join(root, "models/3/index.vectors.f32"));
      const loaded = await VectorIndex.load(3, flatOpts, root);
      expect(loaded.vectorOf(117)).toEqual(row(v, 17));
    });

    it("should refuse files caught half-way through a rewrite, and read them once complete", async () => {
      const v = unitRows(60);
      const before = VectorIndex.build(v.slice(0, 30 * D), ids(30), D, flatOpts);
      await before.save(5, root);
      const oldIds = fs.readFileSync(path.join(root, "models/5/index.ids.json"));
      // A rebuild renumbers positions: new index and vectors files, the ids file not renamed yet.
      await VectorIndex.build(v.slice(30 * D), ids(30, 700), D, flatOpts).save(5, root);
      const newIds = fs.readFileSync(path.join(root, "models/5/index.ids.json"));
      fs.writeFileSync(path.join(root, "models/5/index.ids.json"), oldIds);
      await expect(VectorIndex.load(5, flatOpts, root)).rejects.toThrow(/being rewritten/);
      fs.writeFileSync(path.join(root, "models/5/index.ids.json"), newIds);
      expect((await VectorIndex.load(5, flatOpts, root)).has(700)).toBe(true);
    });

    it("should keep rows past an ids file without checksums out of search (index-file.ts's append caught between renames)", async () => {
      const v = unitRows(40);
      const index = VectorIndex.build(v.slice(0, 30 * D), ids(30), D, flatOpts);
      await index.save(4, root);
      const { sha1: _checksums, ...idsFile } = JSON.parse(fs.readFileSync(path.join(root, "models/4/index.ids.json"), "utf8"));
      index.append(ids(10, 500), v.slice(30 * D));
      await index.save(4, root);
      fs.writeFileSync(path.join(root, "models/4/index.ids.json"), JSON.stringify(idsFile));
      const loaded = await VectorIndex.load(4, flatOpts, root);
      expect(loaded.size).toBe(30);
      expect(loaded.search(row(v, 35), { k: 40 })[0].map((h) => h.imageId).filter((id) => id >= 500)).toEqual([]);
      loaded.append([900], row(v, 35));
      expect(loaded.search(row(v, 35), { k: 1 })[0][0].imageId).toBe(900);
    });
  });
});

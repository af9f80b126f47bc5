import { describe, expect, it } from "vitest";
import { appendToModelIndex, indexOptions, removeFromModelIndex, VectorIndex, writeModelIndex } from "@/lib/vector";
import { unitRows } from "./fixtures";

// Read lazily by indexOptions(): a small threshold so that an append crosses it.
process.env.LA_IVF_THRESHOLD = "50";
const D = 16;
const row = (v: Float32Array, i: number) => v.slice(i * D, (i + 1) * D);

describe("index updates in the data directory", () => {
  it("should turn a flat index that grows past LA_IVF_THRESHOLD into IVF, every image still found", async () => {
    const v = unitRows(70, D, 5);
    const ids = Array.from({ length: 70 }, (_, i) => 1000 + i);
    expect((await writeModelIndex(41, v.slice(0, 40 * D), ids.slice(0, 40), D)).kind).toBe("flat");
    expect(await appendToModelIndex(41, ids.slice(40), v.slice(40 * D))).toBe(70);
    const loaded = await VectorIndex.load(41, indexOptions());
    expect(loaded.kind).toBe("ivf");
    for (const i of [0, 39, 40, 69]) expect(loaded.search(row(v, i), { k: 1 })[0][0].imageId).toBe(ids[i]);
  });

  it("should take removed images out of search and rebuild once many are removed", async () => {
    const v = unitRows(30, D, 6);
    const ids = Array.from({ length: 30 }, (_, i) => 2000 + i);
    await writeModelIndex(42, v, ids, D);
    expect(await removeFromModelIndex(42, [2003, 9999])).toBe(1);
    let loaded = await VectorIndex.load(42, indexOptions());
    expect(loaded.has(2003)).toBe(false);
    expect(loaded.rows).toBe(30);
    await removeFromModelIndex(42, ids.slice(10, 28));
    loaded = await VectorIndex.load(42, indexOptions());
    expect(loaded.rows).toBe(11);
    expect(loaded.search(row(v, 29), { k: 1 })[0][0].imageId).toBe(2029);
  });
});

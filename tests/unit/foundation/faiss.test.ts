import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { faiss, faissProblem } from "@/lib/vector/faiss";

function unitRows(n: number, d: number, seed: number): number[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: d }, rand);
    const norm = Math.hypot(...row);
    out.push(...row.map((v) => v / norm));
  }
  return out;
}

describe("faiss-node built against the system libfaiss", () => {
  it("should report itself healthy", () => {
    expect(faissProblem()).toBeNull();
  });

  it("should find each vector as its own nearest neighbour by inner product", () => {
    const d = 16;
    const data = unitRows(200, d, 7);
    const index = new (faiss().IndexFlatIP)(d);
    index.add(data);
    const { labels, distances } = index.search(data.slice(37 * d, 38 * d), 3);
    expect(labels[0]).toBe(37);
    expect(distances[0]).toBeCloseTo(1, 5);
    expect(distances[1]).toBeLessThan(distances[0]);
  });

  it("should give the same answers after write/read and toBuffer/fromBuffer", () => {
    const d = 8;
    const data = unitRows(50, d, 3);
    const { IndexFlatIP } = faiss();
    const index = new IndexFlatIP(d);
    index.add(data);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "faiss-")), "i.faiss");
    index.write(file);
    const query = data.slice(5 * d, 6 * d);
    const expected = index.search(query, 5);
    expect(IndexFlatIP.read(file).search(query, 5)).toEqual(expected);
    expect(IndexFlatIP.fromBuffer(index.toBuffer()).search(query, 5)).toEqual(expected);
    fs.rmSync(path.dirname(file), { recursive: true });
  });
});

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "@/lib/tf/backend";
import { MemoryBank } from "@/lib/la/memory-bank";
import { Rng } from "@/lib/la/rng";
import { randomUnitRows } from "./helpers";

describe("MemoryBank", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("(c) keeps unit rows, changes only the batch rows, and mixes with t", () => {
    const n = 50;
    const d = 16;
    const t = 0.5;
    const bank = MemoryBank.random(n, d, new Rng(3));
    const before = bank.rows();
    const batch = Int32Array.from([4, 17, 0, 49, 23]);
    const v = randomUnitRows(batch.length, d, 9);
    const idx = tf.tensor1d(batch, "int32");
    const emb = tf.tensor2d(v, [batch.length, d]);
    const count = tf.memory().numTensors;
    bank.update(idx, emb, t);
    expect(tf.memory().numTensors).toBe(count);
    const after = bank.rows();
    for (let i = 0; i < n; i++) {
      const row = after.subarray(i * d, (i + 1) * d);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
      const b = batch.indexOf(i);
      if (b < 0) {
        expect(Array.from(row)).toEqual(Array.from(before.subarray(i * d, (i + 1) * d)));
        continue;
      }
      const mixed = Array.from({ length: d }, (_, k) => t * before[i * d + k] + (1 - t) * v[b * d + k]);
      const norm = Math.hypot(...mixed);
      mixed.forEach((x, k) => expect(row[k]).toBeCloseTo(x / norm, 5));
      expect(Math.abs(row[0] - before[i * d])).toBeGreaterThan(0);
    }
    tf.dispose([idx, emb]);
    bank.dispose();
  });

  it("round-trips rows through fromRows", () => {
    const rows = randomUnitRows(7, 5, 1);
    const bank = MemoryBank.fromRows(rows, 7, 5);
    expect(Array.from(bank.rows())).toEqual(Array.from(rows));
    bank.dispose();
    expect(() => MemoryBank.fromRows(rows, 8, 5)).toThrow(/expected 40 values, got 35/);
  });
});

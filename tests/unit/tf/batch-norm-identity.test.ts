import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { onCpuAndWasm, relError, seeded } from "./helpers";

describe("FusedBatchNorm on wasm vs cpu", () => {
  it.each([
    { shape: [4, 5, 6, 7], scale: true, offset: true, statsShape: [7] },
    { shape: [4, 5, 6, 7], scale: false, offset: true, statsShape: [7] },
    { shape: [3, 9], scale: true, offset: false, statsShape: [9] },
    { shape: [2, 3, 3, 4], scale: true, offset: true, statsShape: [1, 1, 1, 4] },
    { shape: [2, 3, 3, 4], scale: true, offset: true, statsShape: [2, 3, 3, 4] }, // full-size stats: built-in
  ])("shape=$shape scale=$scale offset=$offset stats=$statsShape", async ({ shape, scale, offset, statsShape }) => {
    const n = tf.util.sizeFromShape(statsShape);
    const { cpu, wasm } = await onCpuAndWasm(() =>
      tf.tidy(() => {
        const x = tf.tensor(seeded(tf.util.sizeFromShape(shape), 21), shape).add(3); // a mean far from 0
        const mean = tf.tensor(seeded(n, 22), statsShape).add(3);
        const variance = tf.tensor(seeded(n, 23), statsShape).abs().add(0.1);
        const s = scale ? tf.tensor(seeded(n, 24), statsShape) : undefined;
        const o = offset ? tf.tensor(seeded(n, 25), statsShape) : undefined;
        return [tf.batchNorm(x, mean, variance, o, s, 1e-3)];
      }),
    );
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-6);
  });
});

describe("Identity and Cast on wasm", () => {
  it("should share buffers and free them only with the last holder", async () => {
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const x = tf.tensor([1.5, -2, 3.25]);
      const copy = tf.clone(x); // Identity
      const same = tf.cast(x, "float32");
      x.dispose();
      const ints = tf.cast(copy, "int32");
      const out = [copy.add(same), ints.toFloat()];
      tf.dispose([copy, same, ints]);
      return out;
    });
    // Compare values: the cpu backend keeps an Int32Array behind a float32 cast of an int tensor.
    expect(wasm.map((a) => Array.from(a))).toEqual(cpu.map((a) => Array.from(a)));
    expect(Array.from(wasm[0])).toEqual([3, -4, 6.5]);
  });
});

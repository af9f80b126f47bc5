import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { initBackend, selectBackend, useBackend } from "@/lib/tf/backend";

describe("TF.js backend selection", () => {
  it("should pick the WASM backend here (no native TensorFlow can be installed offline) and say why", async () => {
    const info = await initBackend("auto");
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(info.fallbackReason).toMatch(/native/);
  });

  it("should refuse LA_BACKEND=tensorflow when no native package loads, rather than fall back silently", async () => {
    await expect(selectBackend("tensorflow")).rejects.toThrow(/no native package loads/);
    expect(tf.getBackend()).toBe("wasm");
  });

  it("should compute a matmul on WASM equal to the CPU backend", async () => {
    const a = tf.tidy(() => tf.randomUniform([64, 96], -1, 1, "float32", 1));
    const b = tf.tidy(() => tf.randomUniform([96, 32], -1, 1, "float32", 2));
    const [aData, bData] = [await a.data(), await b.data()];
    a.dispose();
    b.dispose();
    const run = async (name: "wasm" | "cpu") => {
      await useBackend(name);
      return tf.tidy(() => tf.matMul(tf.tensor2d(aData, [64, 96]), tf.tensor2d(bData, [96, 32]))).data();
    };
    const onWasm = await run("wasm");
    const onCpu = await run("cpu");
    await useBackend("wasm");
    let maxErr = 0;
    for (let i = 0; i < onCpu.length; i++) maxErr = Math.max(maxErr, Math.abs(onWasm[i] - onCpu[i]));
    expect(maxErr).toBeLessThan(1e-4);
    expect(onCpu.some((v) => Math.abs(v) > 1)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { computeLearningRate, resolveConfig } from "@/lib/la/config";

describe("resolveConfig", () => {
  it("scales defaults to the collection size", () => {
    const small = resolveConfig({}, 300);
    expect(small.kBg).toBe(256);
    expect(small.m).toBe(8);
    const big = resolveConfig({}, 60000);
    expect(big.kBg).toBe(4096);
    expect(big.m).toBe(1500);
    expect(resolveConfig({}, 100).kBg).toBe(100);
    expect(big.embeddingDim).toBe(128);
  });

  it("derives warm-up and decay epochs from the epochs given", () => {
    const c = resolveConfig({ epochs: 100 }, 1000);
    expect(c.warmupEpochs).toBe(50);
    expect(c.lrDecayEpochs).toEqual([80, 93]);
    expect(computeLearningRate(c, 79)).toBeCloseTo(0.03);
    expect(computeLearningRate(c, 80)).toBeCloseTo(0.003);
    expect(computeLearningRate(c, 99)).toBeCloseTo(0.0003);
  });

  it("merges partial augmentation overrides", () => {
    const c = resolveConfig({ augmentation: { hflip: false } }, 1000);
    expect(c.augmentation.hflip).toBe(false);
    expect(c.augmentation.cropAreaMin).toBe(0.2);
  });

  it.each([
    [{ kBg: 5000 }, 300, /kBg 5000 exceeds the collection size 300/],
    [{ m: 400 }, 300, /m 400 exceeds the collection size 300/],
    [{ warmupEpochs: 30, epochs: 20 }, 300, /warmupEpochs 30 exceeds epochs 20/],
    [{ lr: -1 }, 300, /lr: .*got -1/],
    [{ channels: 2 }, 300, /channels/],
    [{ tau: "0.07" }, 300, /tau: .*got "0.07"/],
    [{ bogus: 1 }, 300, /bogus/],
    [{ augmentation: { cropAreaMin: 0.9, cropAreaMax: 0.5 } }, 300, /cropAreaMin 0.9 exceeds cropAreaMax 0.5/],
    [{ lrDecayEpochs: [25] }, 300, /lrDecayEpochs \[25\] not below epochs 20/],
    [{}, 1, /collection size must be an integer >= 2/],
  ])("rejects %j for n=%i", (overrides, n, message) => {
    expect(() => resolveConfig(overrides, n)).toThrow(message);
  });
});

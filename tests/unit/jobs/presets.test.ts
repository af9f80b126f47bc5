import { describe, expect, it } from "vitest";
import { computePresets, presetEpochs, REFERENCE_IMG_PER_SEC_32x3 } from "@/lib/jobs/presets";

describe("presets", () => {
  it("should give fewer epochs to larger collections and keep quick < standard < thorough", () => {
    for (const n of [200, 20_000, 200_000]) {
      const [q, s, t] = computePresets(n, 32, 3);
      expect([q.name, s.name, t.name]).toEqual(["quick", "standard", "thorough"]);
      expect(q.epochs).toBeLessThan(s.epochs);
      expect(s.epochs).toBeLessThan(t.epochs);
      expect(q.expectedSeconds).toBeLessThan(t.expectedSeconds);
    }
    expect(presetEpochs("standard", 200_000)).toBeLessThan(presetEpochs("standard", 200));
  });

  it("should budget SGD steps: a 3.8k collection gets ~800 quick steps, not 5 epochs of 30", () => {
    const epochs = presetEpochs("quick", 3767);
    expect(epochs).toBe(Math.ceil((800 * 128) / 3767));
    expect(presetEpochs("quick", 3767, 64)).toBe(Math.ceil((800 * 64) / 3767));
    expect(presetEpochs("quick", 1_000_000)).toBe(2); // at least two passes
    expect(presetEpochs("thorough", 50)).toBe(300); // capped for tiny collections
  });

  it("should estimate from the collection's measured speed when there is one", () => {
    const measured = computePresets(1000, 64, 3, { imgPerSec: 10, resolution: 64, channels: 3 })[0];
    expect(measured).toMatchObject({ basis: "measured", imgPerSec: 10 });
    const reference = computePresets(1000, 64, 3)[0];
    expect(reference.basis).toBe("reference");
    expect(reference.imgPerSec).toBe(REFERENCE_IMG_PER_SEC_32x3 / 4); // a quarter of the 32x32x3 rate at 64x64x3
  });
});

import { describe, expect, it } from "vitest";
import { computePresets, defaultPreset, presetEpochs } from "@/lib/jobs/presets";

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
    expect(defaultPreset(1000)).toBe("standard");
    expect(defaultPreset(100_000)).toBe("quick");
  });

  it("should estimate from the collection's measured speed when there is one", () => {
    const measured = computePresets(1000, 64, 3, { imgPerSec: 10, resolution: 64, channels: 3 })[0];
    expect(measured).toMatchObject({ basis: "measured", imgPerSec: 10 });
    const reference = computePresets(1000, 64, 3)[0];
    expect(reference.basis).toBe("reference");
    expect(reference.imgPerSec).toBe(10); // 40 img/s at 32x32x3, a quarter at 64x64x3
  });
});

import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { jobNames } from "@/lib/jobs/job.types";
import { createRegistry, defineHandler } from "@/lib/jobs/registry";
import { parseTrainingSettings, resolveTrainingConfig } from "@/lib/jobs/settings";

describe("training settings", () => {
  it("should reject unknown keys and wrong types, naming the field", () => {
    expect(() => parseTrainingSettings({ k_bg: 5 })).toThrow(/k_bg/);
    expect(() => parseTrainingSettings({ tau: "hot" })).toThrow(/tau/);
    expect(parseTrainingSettings({ kBg: 64, clusterings: 2 })).toEqual({ kBg: 64, clusterings: 2 });
  });

  it("should refuse values larger than the collection with the value in the message", () => {
    expect(() => resolveTrainingConfig({ kBg: 500 }, 100)).toThrow(ValidationError);
    expect(() => resolveTrainingConfig({ kBg: 500 }, 100)).toThrow(/kBg 500 exceeds the collection size 100/);
    expect(() => resolveTrainingConfig({}, 1)).toThrow(/at least 2/);
  });

  it("should shrink the default batch to a small collection and let a preset's epochs win", () => {
    const cfg = resolveTrainingConfig({ warmupEpochs: 30 }, 50, { epochs: 5 });
    expect(cfg).toMatchObject({ batchSize: 50, epochs: 5, warmupEpochs: 2 });
  });
});

describe("createRegistry", () => {
  const all = () => jobNames.map((n) => defineHandler(n, async () => "success"));

  it("should accept one handler per job name", () => {
    expect(createRegistry(all()).size).toBe(jobNames.length);
  });

  it("should fail fast on a missing or a doubled handler, saying which", () => {
    expect(() => createRegistry(all().filter((h) => h.name !== "index"))).toThrow(/no handler for job "index"/);
    expect(() => createRegistry([...all(), defineHandler("train", async () => "success")])).toThrow(/two handlers for job "train"/);
  });
});

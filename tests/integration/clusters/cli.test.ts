import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { run } from "@/cli/commands/clusters";
import { getClusterOverview } from "@/lib/clusters/clusters.query";
import { createCollection, createModel, unitBlobs } from "./fixtures";

describe("npm run la -- clusters", () => {
  let collectionId: number;

  beforeAll(async () => {
    process.env.LA_CLUSTER_SCALES = "coarse:4,fine:12";
    const blobs = unitBlobs(4, 25, 16, 0.15, 3);
    const created = await createCollection("cli-blobs", blobs.truth);
    collectionId = created.collectionId;
    await createModel(collectionId, created.imageIds, blobs.data, blobs.d);
  });
  afterEach(() => vi.restoreAllMocks());

  it("should compute the clusters and print purity, NMI and stability per scale beside raw pixels, JSON last", async () => {
    const out: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await run(["--collection", "cli-blobs", "--compute", "--json"])).toBe(0);
    const report = JSON.parse(out.at(-1)!);
    expect(report.images).toBe(100);
    expect(report.scales.map((s: { scale: string; m: number }) => [s.scale, s.m])).toEqual([["coarse", 4], ["fine", 12]]);
    const coarse = report.scales[0];
    expect(coarse.purity).toBeCloseTo(1, 6);
    expect(coarse.nmi).toBeCloseTo(1, 6);
    expect(coarse.mean_stability).toBeGreaterThan(0.9);
    // Raw pixels are noisy class colours: a baseline in (0, 1], computed on the same 100 images.
    expect(coarse.raw_purity).toBeGreaterThan(0.25);
    expect(coarse.raw_purity).toBeLessThanOrEqual(1);
    expect(coarse.raw_nmi).toBeGreaterThanOrEqual(0);
    // Stored for the clusters page.
    const page = await getClusterOverview(collectionId, "coarse");
    expect(page.scale.metrics.rawPurity).toBeCloseTo(coarse.raw_purity, 12);
  });

  it("should refuse without a collection name and fail for an unknown one", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await run([])).toBe(2);
    await expect(run(["--collection", "nope"])).rejects.toThrow(/not found/);
  });
});

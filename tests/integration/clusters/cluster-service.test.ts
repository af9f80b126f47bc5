import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { computeClusterings } from "@/lib/clusters/cluster.service";
import { getClusterDetail, getClusterOverview, getImageMemberships, renameCluster } from "@/lib/clusters/clusters.query";
import { decodeMap, readMapBytes } from "@/lib/clusters/map-file";
import { readDensity } from "@/lib/clusters/density-file";
import { readDuplicates } from "@/lib/clusters/duplicates";
import { useBackend } from "@/lib/tf/backend";
import { createCollection, createModel, jitter, unitBlobs } from "./fixtures";

const SCALES = [
  { name: "coarse", m: 4 },
  { name: "fine", m: 12 },
];
const options = { scales: SCALES, seeds: 3, iterations: 10, umapEpochs: 50 };

async function snapshot(modelId: number) {
  const clusterings = await prisma.clustering.findMany({
    where: { modelId },
    orderBy: { scale: "asc" },
    select: { scale: true, m: true, seed: true, clusters: { orderBy: { index: "asc" }, select: { index: true, size: true, stability: true, representativeIds: true, memberships: { orderBy: { imageId: "asc" }, select: { imageId: true, weight: true, rank: true } } } } },
  });
  return clusterings;
}

describe("computeClusterings", () => {
  const blobs = unitBlobs(4, 30, 16, 0.15, 7);
  // Images 0 and 4 (same class) get one embedding: a near-duplicate pair.
  blobs.data.copyWithin(4 * 16, 0, 16);
  let collectionId: number;
  let imageIds: number[];
  let modelId: number;

  beforeAll(async () => {
    await useBackend("cpu");
    ({ collectionId, imageIds } = await createCollection("blobs", blobs.truth));
    modelId = await createModel(collectionId, imageIds, blobs.data, blobs.d);
  });

  it("should find the labelled blobs at the coarse scale (purity and NMI 1) with stable clusters", async () => {
    const progress: number[] = [];
    const summary = await computeClusterings(modelId, { options, onProgress: (f) => progress.push(f) });
    expect(summary.stopped).toBe(false);
    expect(summary.n).toBe(120);
    const coarse = summary.scales.find((s) => s.scale === "coarse")!;
    expect(coarse.m).toBe(4);
    expect(coarse.purity).toBeCloseTo(1, 6);
    expect(coarse.nmi).toBeCloseTo(1, 6);
    expect(coarse.meanStability).toBeGreaterThan(0.99);
    const fine = summary.scales.find((s) => s.scale === "fine")!;
    expect(fine.purity).toBeCloseTo(1, 6); // sub-clusters of a blob stay pure
    expect(fine.nmi!).toBeLessThan(coarse.nmi!);
    expect(summary.map?.method).toBe("umap");
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1])).toBe(true);
  });

  it("should give every image ordered memberships summing to at most 1 at every scale, rank 0 its hard cluster", async () => {
    const clusterings = await snapshot(modelId);
    expect(clusterings.map((c) => c.scale)).toEqual(["coarse", "fine"]);
    for (const c of clusterings) {
      const byImage = new Map<number, { weight: number; rank: number; index: number }[]>();
      for (const cl of c.clusters) for (const m of cl.memberships) byImage.set(m.imageId, [...(byImage.get(m.imageId) ?? []), { ...m, index: cl.index }]);
      expect([...byImage.keys()].sort((a, b) => a - b)).toEqual(imageIds);
      for (const list of byImage.values()) {
        list.sort((a, b) => a.rank - b.rank);
        expect(list.map((m) => m.rank)).toEqual(list.map((_, i) => i));
        for (let i = 1; i < list.length; i++) expect(list[i].weight).toBeLessThanOrEqual(list[i - 1].weight);
        expect(list.reduce((s, m) => s + m.weight, 0)).toBeLessThanOrEqual(1 + 1e-6);
      }
      // Sizes count rank-0 memberships and clusters are numbered largest first.
      for (const cl of c.clusters) expect(cl.size).toBe(cl.memberships.filter((m) => m.rank === 0).length);
      expect(c.clusters.map((cl) => cl.size)).toEqual([...c.clusters.map((cl) => cl.size)].sort((a, b) => b - a));
      expect(c.clusters.reduce((s, cl) => s + cl.size, 0)).toBe(120);
    }
  });

  it("should be deterministic for a seed", async () => {
    const before = await snapshot(modelId);
    const mapBefore = await readMapBytes(modelId);
    await computeClusterings(modelId, { options });
    expect(await snapshot(modelId)).toEqual(before);
    expect((await readMapBytes(modelId))!.equals(mapBefore!)).toBe(true);
  });

  it("should write the map (every image, coordinates in [0, 1], hard labels per scale), the density diagnostic and near-duplicates", async () => {
    const map = decodeMap((await readMapBytes(modelId))!);
    expect(map.n).toBe(120);
    expect([...map.ids]).toEqual(imageIds);
    expect(map.scales.map((s) => s.name)).toEqual(["coarse", "fine"]);
    expect(map.xy.every((v) => v >= 0 && v <= 1)).toBe(true);
    const detail = await getImageMemberships(collectionId, imageIds[0]);
    expect(detail.map((s) => s.scale)).toEqual(["coarse", "fine"]);
    const density = (await readDensity(modelId))!;
    expect(density.report.local.mean).toBeGreaterThan(density.report.background.mean);
    expect(density.report.local.counts.reduce((a, b) => a + b, 0)).toBe(120);
    const dup = (await readDuplicates(modelId))!;
    expect(dup.scale).toBe("fine");
    expect(dup.threshold).toBeGreaterThanOrEqual(0.95);
    expect(dup.groups).toContainEqual([imageIds[0], imageIds[4]]);
    // Any other group is two close images of one blob.
    const blobOf = (id: number) => blobs.truth[imageIds.indexOf(id)];
    for (const g of dup.groups) expect(new Set(g.map(blobOf)).size).toBe(1);
  });

  it("should list members closest to the centroid first, with neighbouring clusters", async () => {
    const overview = await getClusterOverview(collectionId, "fine");
    expect(overview.scales.map((s) => s.scale)).toEqual(["coarse", "fine"]);
    const detail = await getClusterDetail(overview.clusters[0].id);
    const sims = detail.members.map((m) => m.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
    expect(detail.members.slice(0, detail.cluster.representativeIds.length).map((m) => m.imageId)).toEqual(detail.cluster.representativeIds);
    expect(detail.neighbours.length).toBe(6);
    // The nearest fine clusters are the other parts of the same blob.
    const blobOf = (imageId: number) => blobs.truth[imageIds.indexOf(imageId)];
    const mine = blobOf(detail.members[0].imageId);
    const nearest = detail.neighbours[0].representativeIds[0];
    expect(blobOf(nearest)).toBe(mine);
  });

  it("should carry a cluster's name to the matching cluster of the next model", async () => {
    const coarse = await getClusterOverview(collectionId, "coarse");
    const target = coarse.clusters[1];
    await renameCluster(target.id, { name: "  Red things " });
    const named = await getClusterDetail(target.id, { limit: 500 });
    expect(named.cluster.name).toBe("Red things");

    const retrained = await createModel(collectionId, imageIds, jitter(blobs.data, blobs.d, 0.05, 99), blobs.d, modelId);
    const summary = await computeClusterings(retrained, { options });
    expect(summary.scales.find((s) => s.scale === "coarse")!.carriedNames).toBe(1);
    const after = await getClusterOverview(collectionId, "coarse");
    expect(after.modelId).toBe(retrained);
    const carried = after.clusters.filter((c) => c.name === "Red things");
    expect(carried).toHaveLength(1);
    const members = (await getClusterDetail(carried[0].id, { limit: 500 })).members.map((m) => m.imageId).sort((a, b) => a - b);
    expect(members).toEqual(named.members.map((m) => m.imageId).sort((a, b) => a - b));
  });
});

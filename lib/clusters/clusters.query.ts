/**
 * What the cluster explorer reads: a collection's clusterings at one scale, one cluster with its members
 * and neighbours, an image's memberships; and renaming a cluster.
 */
import { z } from "zod";
import { prisma } from "@/lib/db/client";
import { ModelNotReadyError, NotFoundError } from "@/lib/errors";
import type { ClusteringMetrics } from "./cluster.service";
import { readDuplicates, type NearDuplicates } from "./duplicates";
import { readMapBytes } from "./map-file";

export const thumbUrl = (imageId: number) => `/api/images/${imageId}/thumb`;

export interface ScaleView {
  clusteringId: number;
  scale: string;
  m: number;
  metrics: Partial<ClusteringMetrics>;
}

export interface ClusterCard {
  id: number;
  index: number;
  size: number;
  name: string | null;
  stability: number | null;
  representativeIds: number[];
}

export interface ClusterOverview {
  collection: { id: number; name: string };
  modelId: number;
  scales: ScaleView[];
  scale: ScaleView;
  clusters: ClusterCard[];
}

/** The collection's active model id; 409 when it has none yet. */
async function activeModel(collectionId: number): Promise<{ id: number; name: string; modelId: number }> {
  const c = await prisma.collection.findFirst({ where: { id: collectionId, status: "ready" }, select: { id: true, name: true, activeModelId: true } });
  if (!c) throw new NotFoundError(`collection ${collectionId} not found`);
  if (c.activeModelId === null) throw new ModelNotReadyError(`collection ${collectionId} has no trained model yet`);
  return { id: c.id, name: c.name, modelId: c.activeModelId };
}

/** Scales of a model, coarse (fewest clusters) first. */
export async function listScales(modelId: number): Promise<ScaleView[]> {
  const rows = await prisma.clustering.findMany({ where: { modelId }, orderBy: { m: "asc" }, select: { id: true, scale: true, m: true, metrics: true } });
  return rows.map((r) => ({ clusteringId: r.id, scale: r.scale, m: r.m, metrics: (r.metrics ?? {}) as Partial<ClusteringMetrics> }));
}

const asIds = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : []);

/** The active model's clusters at `scale` (default: the coarsest), largest first. */
export async function getClusterOverview(collectionId: number, scale?: string): Promise<ClusterOverview> {
  const c = await activeModel(collectionId);
  const scales = await listScales(c.modelId);
  if (scales.length === 0) throw new ModelNotReadyError(`model ${c.modelId} has no clusters yet: the cluster step has not run`);
  const current = scale === undefined ? scales[0] : scales.find((s) => s.scale === scale);
  if (!current) throw new NotFoundError(`no scale "${scale}" (have ${scales.map((s) => s.scale).join(", ")})`);
  const clusters = await prisma.cluster.findMany({
    where: { clusteringId: current.clusteringId },
    orderBy: { index: "asc" },
    select: { id: true, index: true, size: true, name: true, stability: true, representativeIds: true },
  });
  return {
    collection: { id: c.id, name: c.name },
    modelId: c.modelId,
    scales,
    scale: current,
    clusters: clusters.map((k) => ({ ...k, representativeIds: asIds(k.representativeIds) })),
  };
}

export interface ClusterDetail {
  cluster: ClusterCard & { scale: string; clusteringId: number; modelId: number; collectionId: number; active: boolean };
  /** Members (images whose strongest cluster this is), closest to the centroid first. */
  members: { imageId: number; similarity: number; weight: number }[];
  offset: number;
  /** Images for which this is a second or third cluster, strongest first. */
  partial: { imageId: number; weight: number; rank: number }[];
  neighbours: (ClusterCard & { similarity: number })[];
}

export const MemberPage = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(120),
});

function centroidOf(bytes: Uint8Array | null): Float32Array | null {
  if (!bytes || bytes.byteLength % 4) return null;
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** A cluster, a page of its members and its nearest clusters of the same scale (cosine of unit centroids). */
export async function getClusterDetail(clusterId: number, page: z.input<typeof MemberPage> = {}, neighbourCount = 6): Promise<ClusterDetail> {
  const { offset, limit } = MemberPage.parse(page);
  const c = await prisma.cluster.findUnique({
    where: { id: clusterId },
    select: {
      id: true, index: true, size: true, name: true, stability: true, representativeIds: true, centroid: true, clusteringId: true,
      clustering: { select: { scale: true, modelId: true, model: { select: { collectionId: true, activeFor: { select: { id: true } } } } } },
    },
  });
  if (!c) throw new NotFoundError(`cluster ${clusterId} not found`);
  const [members, partial, siblings] = await Promise.all([
    prisma.membership.findMany({
      where: { clusterId, rank: 0 },
      orderBy: [{ similarity: "desc" }, { imageId: "asc" }],
      skip: offset,
      take: limit,
      select: { imageId: true, similarity: true, weight: true },
    }),
    prisma.membership.findMany({ where: { clusterId, rank: { gt: 0 } }, orderBy: [{ weight: "desc" }, { imageId: "asc" }], take: 24, select: { imageId: true, weight: true, rank: true } }),
    prisma.cluster.findMany({
      where: { clusteringId: c.clusteringId, id: { not: clusterId } },
      select: { id: true, index: true, size: true, name: true, stability: true, representativeIds: true, centroid: true },
    }),
  ]);
  const mine = centroidOf(c.centroid);
  const neighbours = mine
    ? siblings
        .map(({ centroid, ...s }) => {
          const other = centroidOf(centroid);
          let sim = -Infinity;
          if (other && other.length === mine.length) {
            sim = 0;
            for (let k = 0; k < mine.length; k++) sim += mine[k] * other[k];
          }
          return { ...s, representativeIds: asIds(s.representativeIds), similarity: sim };
        })
        .sort((a, b) => b.similarity - a.similarity || a.index - b.index)
        .slice(0, neighbourCount)
    : [];
  const { centroid: _centroid, clustering, ...card } = c;
  return {
    cluster: {
      ...card,
      representativeIds: asIds(card.representativeIds),
      scale: clustering.scale,
      modelId: clustering.modelId,
      collectionId: clustering.model.collectionId,
      active: clustering.model.activeFor !== null,
    },
    members: members.map((m) => ({ imageId: m.imageId, weight: m.weight, similarity: m.similarity ?? 0 })),
    offset,
    partial,
    neighbours,
  };
}

export interface ImageMembership {
  scale: string;
  m: number;
  clusters: { clusterId: number; index: number; name: string | null; size: number; weight: number; similarity: number; rank: number }[];
}

/** The image's memberships at every scale of its collection's active model, coarse first; [] without clusters. */
export async function getImageMemberships(collectionId: number, imageId: number): Promise<ImageMembership[]> {
  const c = await prisma.collection.findFirst({ where: { id: collectionId }, select: { activeModelId: true } });
  if (!c?.activeModelId) return [];
  const rows = await prisma.membership.findMany({
    where: { imageId, cluster: { clustering: { modelId: c.activeModelId } } },
    orderBy: [{ rank: "asc" }],
    select: {
      weight: true, similarity: true, rank: true, clusterId: true,
      cluster: { select: { index: true, name: true, size: true, clustering: { select: { scale: true, m: true } } } },
    },
  });
  const byScale = new Map<string, ImageMembership>();
  for (const r of rows) {
    const { scale, m } = r.cluster.clustering;
    const entry = byScale.get(scale) ?? { scale, m, clusters: [] };
    entry.clusters.push({ clusterId: r.clusterId, index: r.cluster.index, name: r.cluster.name, size: r.cluster.size, weight: r.weight, similarity: r.similarity ?? 0, rank: r.rank });
    byScale.set(scale, entry);
  }
  return [...byScale.values()].sort((a, b) => a.m - b.m);
}

export const RenameCluster = z.object({ name: z.string().trim().max(80, "at most 80 characters").nullable() });

/** Names a cluster (an empty or null name clears it). The next model's matching cluster inherits it. */
export async function renameCluster(clusterId: number, input: z.input<typeof RenameCluster>): Promise<ClusterCard> {
  const { name } = RenameCluster.parse(input);
  const exists = await prisma.cluster.findUnique({ where: { id: clusterId }, select: { id: true } });
  if (!exists) throw new NotFoundError(`cluster ${clusterId} not found`);
  const c = await prisma.cluster.update({
    where: { id: clusterId },
    data: { name: name ? name : null },
    select: { id: true, index: true, size: true, name: true, stability: true, representativeIds: true },
  });
  return { ...c, representativeIds: asIds(c.representativeIds) };
}

/** The active model's map file (map-file.ts format) and the model id, for the map page. */
export async function getActiveMap(collectionId: number): Promise<{ modelId: number; bytes: Buffer }> {
  const c = await activeModel(collectionId);
  const bytes = await readMapBytes(c.modelId);
  if (!bytes) throw new ModelNotReadyError(`model ${c.modelId} has no map yet: the cluster step has not run`);
  return { modelId: c.modelId, bytes };
}

/** The model's near-duplicate groups (found inside its finest scale), or null before the cluster step. */
export function getNearDuplicates(modelId: number): Promise<NearDuplicates | null> {
  return readDuplicates(modelId);
}

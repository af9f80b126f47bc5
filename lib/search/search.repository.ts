import { prisma } from "@/lib/db/client";

export interface CollectionSearchState {
  id: number;
  activeModelId: number | null;
}

/** The collection's active model, or null when the collection does not exist. */
export async function findCollectionState(collectionId: number): Promise<CollectionSearchState | null> {
  return prisma.collection.findFirst({ where: { id: collectionId, status: "ready" }, select: { id: true, activeModelId: true } });
}

export async function findModelCheckpointKey(modelId: number): Promise<string | null> {
  const m = await prisma.model.findUnique({ where: { id: modelId }, select: { checkpointKey: true } });
  return m?.checkpointKey ?? null;
}

export async function countClusterings(modelId: number): Promise<number> {
  return prisma.clustering.count({ where: { modelId } });
}

/** The cluster's model and its members' image ids, or null when there is no such cluster. */
export async function findClusterMembers(clusterId: number): Promise<{ modelId: number; imageIds: number[] } | null> {
  const c = await prisma.cluster.findUnique({
    where: { id: clusterId },
    select: { clustering: { select: { modelId: true } }, memberships: { select: { imageId: true } } },
  });
  return c && { modelId: c.clustering.modelId, imageIds: c.memberships.map((m) => m.imageId) };
}

/** Memberships of the images in the model's clusterings, strongest first per image. */
export async function findMemberships(modelId: number, imageIds: number[]) {
  const rows = await prisma.membership.findMany({
    where: { imageId: { in: imageIds }, cluster: { clustering: { modelId } } },
    select: { imageId: true, clusterId: true, weight: true, cluster: { select: { index: true, name: true, clustering: { select: { scale: true } } } } },
    orderBy: [{ imageId: "asc" }, { weight: "desc" }],
  });
  return rows.map((r) => ({ imageId: r.imageId, clusterId: r.clusterId, weight: r.weight, index: r.cluster.index, name: r.cluster.name, scale: r.cluster.clustering.scale }));
}

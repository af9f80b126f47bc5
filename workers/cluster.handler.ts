import { prisma } from "@/lib/db/client";
import { defineHandler } from "@/lib/jobs/registry";
import type { LAConfig } from "@/lib/la/config";
import { readTrainClusters } from "@/lib/models/model-files";
import { getModel, updateModel } from "@/lib/models/model.service";
import { indexOptions, VectorIndex } from "@/lib/vector";

const REPRESENTATIVES = 8;

/**
 * `cluster`: until the cluster explorer lands, stores the first k-means clustering of the last training
 * epoch as the model's clustering "train": cluster sizes, representatives (members closest to the
 * mean of the members' final embeddings, read from the model's index) and one membership per image
 * (weight 1, rank 0).
 */
export const clusterHandler = defineHandler("cluster", async ({ job, progress }) => {
  if (!job.modelId || !job.collectionId) return { outcome: "failed", error: "cluster job without a model or collection" };
  const model = await getModel(job.modelId);
  const config = model.config as unknown as LAConfig;
  const train = await readTrainClusters(model.id);
  if (!train) return { outcome: "skipped", result: { reason: "no training clusters stored" } };
  const index = await VectorIndex.load(model.id, indexOptions());
  // images deleted since training are no longer in the index and are left out
  const present = new Set((await prisma.image.findMany({ where: { id: { in: train.imageIds } }, select: { id: true } })).map((r) => r.id));
  const keep = train.imageIds.map((id, i) => [id, train.labels[0][i]] as const).filter(([id]) => present.has(id) && index.has(id));
  const ids = keep.map(([id]) => id);
  const d = config.embeddingDim;
  const emb = new Float32Array(ids.length * d);
  ids.forEach((id, i) => emb.set(index.vectorOf(id)!, i * d));
  progress.report({ phase: "storing clusters" });
  const clusters = computeClusters(keep.map(([, l]) => l), ids, emb, d, train.m);
  await prisma.$transaction(async (tx) => {
    await tx.clustering.deleteMany({ where: { modelId: model.id, scale: "train" } });
    const clustering = await tx.clustering.create({ data: { modelId: model.id, scale: "train", m: train.m, seed: config.seed } });
    for (const c of clusters) {
      const row = await tx.cluster.create({ data: { clusteringId: clustering.id, index: c.index, size: c.members.length, representativeIds: c.representatives } });
      await tx.membership.createMany({ data: c.members.map((imageId) => ({ imageId, clusterId: row.id, weight: 1, rank: 0 })) });
    }
  });
  await updateModel(model.id, { metrics: { clusters: clusters.length } });
  return { outcome: "success", result: { clusters: clusters.length, images: ids.length } };
});

interface ComputedCluster {
  index: number;
  members: number[];
  representatives: number[];
}

/** Groups images by label; representatives are the members most similar to the cluster's mean direction. */
export function computeClusters(labels: number[], ids: number[], emb: Float32Array, d: number, m: number): ComputedCluster[] {
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const rows = byLabel.get(l);
    if (rows) rows.push(i);
    else byLabel.set(l, [i]);
  });
  const out: ComputedCluster[] = [];
  for (let index = 0; index < m; index++) {
    const rows = byLabel.get(index);
    if (!rows?.length) continue;
    const mean = new Float32Array(d);
    for (const r of rows) for (let k = 0; k < d; k++) mean[k] += emb[r * d + k];
    const score = (r: number) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += mean[k] * emb[r * d + k];
      return s;
    };
    const best = rows.map((r) => ({ r, s: score(r) })).sort((a, b) => b.s - a.s).slice(0, REPRESENTATIVES);
    out.push({ index, members: rows.map((r) => ids[r]), representatives: best.map((b) => ids[b.r]) });
  }
  return out;
}

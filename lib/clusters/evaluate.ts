/**
 * Cluster quality of a model against the images' labels, beside k-means on raw pixels of the same
 * images (`npm run la -- clusters`): the gain of the learned embedding over the pixels themselves.
 *
 * The embedding's clusters are the stored ones (rank-0 memberships). The baseline runs lib/la kmeans
 * with the same m, the kept run's seed and the same iterations on the tensor-cache pixels (the model's
 * input: res x res x ch), each image's pixel vector scaled to unit length so both sides cluster by
 * cosine, as the raw-pixel kNN baseline of `la eval` does. Both are scored on the labelled images only.
 */
import type { Prisma } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { ModelNotReadyError, NotFoundError } from "@/lib/errors";
import { loadCollectionPixels, pixelFormat } from "@/lib/images/pixels";
import { kmeans } from "@/lib/la/kmeans";
import { computeRawPixelFeatures } from "@/lib/la/knn";
import type { ClusteringMetrics } from "./cluster.service";
import { clusterOptions } from "./config";
import { computeAgreement } from "./quality";

export interface ScaleEvaluation {
  scale: string;
  m: number;
  labelled: number;
  purity: number | null;
  nmi: number | null;
  mean_stability: number | null;
  raw_purity: number | null;
  raw_nmi: number | null;
  raw_seconds: number | null;
}

export interface ClusterEvaluation {
  collection: string;
  modelId: number;
  images: number;
  labelled: number;
  scales: ScaleEvaluation[];
}


/**
 * Scores every scale of the collection's active model; with `raw`, also the raw-pixel baseline, whose
 * numbers are stored in Clustering.metrics (rawPurity, rawNmi) so the clusters page shows them too.
 */
export async function evaluateClusters(collectionName: string, opts: { raw: boolean; onScale?: (s: ScaleEvaluation) => void }): Promise<ClusterEvaluation> {
  const c = await prisma.collection.findFirst({ where: { name: collectionName, status: "ready" }, select: { id: true, name: true, activeModelId: true, settings: true } });
  if (!c) throw new NotFoundError(`collection "${collectionName}" not found`);
  if (c.activeModelId === null) throw new ModelNotReadyError(`collection "${collectionName}" has no trained model yet`);
  const clusterings = await prisma.clustering.findMany({ where: { modelId: c.activeModelId }, orderBy: { m: "asc" }, select: { id: true, scale: true, m: true, seed: true, metrics: true } });
  if (clusterings.length === 0) throw new ModelNotReadyError(`model ${c.activeModelId} has no clusters yet: the cluster step has not run`);
  const images = await prisma.image.findMany({ where: { collectionId: c.id }, select: { id: true, label: true }, orderBy: { id: "asc" } });
  const labelled = images.filter((im) => im.label !== null);
  const labelCode = new Map<string, number>();
  for (const im of labelled) if (!labelCode.has(im.label!)) labelCode.set(im.label!, labelCode.size);
  const scorable = labelCode.size >= 2;

  let raw: { data: Float32Array; dim: number; ids: number[] } | null = null;
  if (opts.raw && scorable) {
    const { resolution, channels } = pixelFormat(c.settings);
    const ids = labelled.map((im) => im.id);
    const dim = resolution * resolution * channels;
    raw = { data: computeRawPixelFeatures(await loadCollectionPixels(c.id, ids, resolution, channels), ids.length, dim), dim, ids };
  }
  const iterations = clusterOptions().iterations;
  const out: ScaleEvaluation[] = [];
  for (const k of clusterings) {
    const metrics = (k.metrics ?? {}) as Partial<ClusteringMetrics>;
    const hard = await prisma.membership.findMany({ where: { rank: 0, cluster: { clusteringId: k.id } }, select: { imageId: true, cluster: { select: { index: true } } } });
    const clusterOf = new Map(hard.map((h) => [h.imageId, h.cluster.index]));
    const scored = labelled.filter((im) => clusterOf.has(im.id));
    const ours = scorable ? computeAgreement(scored.map((im) => clusterOf.get(im.id)!), scored.map((im) => labelCode.get(im.label!)!)) : null;
    let rawScore: { purity: number; nmi: number; seconds: number } | null = null;
    if (raw) {
      const t0 = performance.now();
      const m = Math.min(k.m, raw.ids.length);
      const { labels } = kmeans(raw.data, raw.ids.length, raw.dim, { m, seed: k.seed, iterations });
      const a = computeAgreement(labels, labelled.map((im) => labelCode.get(im.label!)!));
      rawScore = { purity: a.purity, nmi: a.nmi, seconds: (performance.now() - t0) / 1000 };
      await prisma.clustering.update({
        where: { id: k.id },
        data: { metrics: { ...metrics, rawPurity: a.purity, rawNmi: a.nmi } as unknown as Prisma.InputJsonValue },
      });
    }
    const s: ScaleEvaluation = {
      scale: k.scale,
      m: k.m,
      labelled: ours?.n ?? 0,
      purity: ours?.purity ?? null,
      nmi: ours?.nmi ?? null,
      mean_stability: metrics.meanStability ?? null,
      raw_purity: rawScore?.purity ?? null,
      raw_nmi: rawScore?.nmi ?? null,
      raw_seconds: rawScore?.seconds ?? null,
    };
    opts.onScale?.(s);
    out.push(s);
  }
  return { collection: c.name, modelId: c.activeModelId, images: images.length, labelled: labelled.length, scales: out };
}

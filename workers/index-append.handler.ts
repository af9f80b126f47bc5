import { prisma } from "@/lib/db/client";
import { defineHandler } from "@/lib/jobs/registry";
import type { LAConfig } from "@/lib/la/config";
import { getModel } from "@/lib/models/model.service";
import { appendToModelIndex, indexOptions, VectorIndex } from "@/lib/vector";
import { embedImages } from "./embedding";

/**
 * `index.append`: embeds the collection's images that the active model's index lacks (the payload's
 * ids are only a hint: any append catches up on everything missing) and adds them to the index.
 */
export const indexAppendHandler = defineHandler("index.append", async ({ job, progress, shouldStop }) => {
  if (!job.collectionId) return { outcome: "failed", error: "index.append job without a collection" };
  const collection = await prisma.collection.findUnique({ where: { id: job.collectionId }, select: { activeModelId: true } });
  if (!collection?.activeModelId) return { outcome: "skipped", result: { reason: "no active model" } };
  const model = await getModel(collection.activeModelId);
  const index = await VectorIndex.load(model.id, indexOptions());
  const all = await prisma.image.findMany({ where: { collectionId: job.collectionId }, orderBy: { id: "asc" }, select: { id: true } });
  const missing = all.map((r) => r.id).filter((id) => !index.has(id));
  if (!missing.length) return { outcome: "skipped", result: { reason: "index is complete" } };
  const embeddings = await embedImages(model.id, model.config as unknown as LAConfig, job.collectionId, missing, (p) => progress.report(p), shouldStop);
  if (!embeddings) return "stopped";
  // A new model may have been activated meanwhile; its own index job embedded these images.
  const now = await prisma.collection.findUnique({ where: { id: job.collectionId }, select: { activeModelId: true } });
  if (now?.activeModelId !== model.id) return { outcome: "skipped", result: { reason: "the active model changed" } };
  const total = await appendToModelIndex(model.id, missing, embeddings);
  return { outcome: "success", result: { modelId: model.id, appended: missing.length, total } };
});

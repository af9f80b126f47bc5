import { prisma } from "@/lib/db/client";
import { enqueueIndexAppend } from "@/lib/jobs/index-updater";
import { defineHandler } from "@/lib/jobs/registry";
import type { LAConfig } from "@/lib/la/config";
import { activateModel, getModel } from "@/lib/models/model.service";
import { writeModelIndex } from "@/lib/vector";
import { embedImages } from "./embedding";

/**
 * `index`: embeds every image of the collection with the trained model, writes its FAISS index files,
 * then activates the model (one transaction). Until then the previous model keeps serving search.
 */
export const indexHandler = defineHandler("index", async ({ job, progress, shouldStop, log }) => {
  if (!job.modelId || !job.collectionId) return { outcome: "failed", error: "index job without a model or collection" };
  const model = await getModel(job.modelId);
  if (model.status === "ready") return { outcome: "skipped", result: { reason: "model is ready already" } };
  if (model.status !== "indexing") return { outcome: "failed", error: `model ${model.id} is ${model.status}, not trained` };
  const config = model.config as unknown as LAConfig;
  const started = Date.now();
  const ids = (await prisma.image.findMany({ where: { collectionId: job.collectionId }, orderBy: { id: "asc" }, select: { id: true } })).map((r) => r.id);
  const embeddings = await embedImages(model.id, config, job.collectionId, ids, (p) => progress.report(p), shouldStop);
  if (!embeddings) return "stopped";
  progress.report({ phase: "writing index" });
  const index = await writeModelIndex(model.id, embeddings, ids, config.embeddingDim);
  const metrics = { indexSeconds: Math.round((Date.now() - started) / 100) / 10, indexedImages: ids.length, indexKind: index.kind };
  await activateModel(model.id, metrics);
  log.info({ modelId: model.id, images: ids.length }, "model activated");
  // Images stored while this index was built were appended to the previous model; catch up.
  const newer = await prisma.image.count({ where: { collectionId: job.collectionId, id: { gt: ids.at(-1) ?? 0 } } });
  if (newer) await enqueueIndexAppend(job.collectionId, []);
  return { outcome: "success", result: metrics };
});

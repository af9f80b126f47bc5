import { prisma } from "@/lib/db/client";
import { loadCollectionPixels } from "@/lib/images/pixels";
import type { JobContext } from "@/lib/jobs/registry";
import { defineHandler } from "@/lib/jobs/registry";
import type { LAConfig } from "@/lib/la/config";
import type { TrainResult } from "@/lib/la/trainer";
import { env } from "@/lib/config/env";
import { readTrainIds, writeTrainClusters, writeTrainIds } from "@/lib/models/model-files";
import { getModel, updateModel } from "@/lib/models/model.service";
import { keys, resolveKey } from "@/lib/storage";
import { runInThread } from "./thread";
import type { TrainThreadInput, TrainThreadMessage } from "./train-thread";

/**
 * The images of a run, fixed at its first attempt. A fine-tune lists its parent's images first, in
 * the parent's order (lib/la keeps their memory-bank rows), then the images added since.
 */
async function trainingImageIds(modelId: number, collectionId: number, parentId: number | null): Promise<number[] | string> {
  const stored = await readTrainIds(modelId);
  if (stored) return stored;
  const current = (await prisma.image.findMany({ where: { collectionId }, orderBy: { id: "asc" }, select: { id: true } })).map((r) => r.id);
  let ids = current;
  if (parentId !== null) {
    const parentIds = await readTrainIds(parentId);
    if (!parentIds) return `model ${parentId} has no list of its training images`;
    const present = new Set(current);
    if (!parentIds.every((id) => present.has(id))) return "images of the parent model were deleted since; train from scratch instead";
    const old = new Set(parentIds);
    ids = [...parentIds, ...current.filter((id) => !old.has(id))];
  }
  await writeTrainIds(modelId, ids);
  return ids;
}

/** `train` and `finetune`: run lib/la on the collection's tensor cache, checkpointing every epoch. */
async function handleTrain({ job, log, progress, shouldStop }: JobContext<"train" | "finetune">) {
  if (!job.modelId || !job.collectionId) return { outcome: "failed" as const, error: "train job without a model or collection" };
  const model = await getModel(job.modelId);
  if (model.status !== "training") return { outcome: "skipped" as const, result: { reason: `model is ${model.status}` } };
  const config = model.config as unknown as LAConfig;
  const parentId = job.type === "finetune" ? model.parentId : null;
  const ids = await trainingImageIds(model.id, job.collectionId, parentId);
  if (typeof ids === "string") return { outcome: "failed" as const, error: ids };

  progress.report({ phase: "loading", epochs: config.epochs });
  const pixels = await loadCollectionPixels(job.collectionId, ids, config.resolution, config.channels);
  const started = Date.now();
  let resumedFromEpoch: number | undefined;
  const input: TrainThreadInput = {
    backend: env().LA_BACKEND,
    options: {
      pixels,
      n: ids.length,
      config,
      checkpointDir: resolveKey(keys.checkpoint(model.id)),
      init: parentId !== null ? { fromCheckpointDir: resolveKey(keys.checkpoint(parentId)) } : undefined,
      threads: env().LA_TRAIN_THREADS,
    },
  };
  const result = await runInThread<TrainThreadInput, TrainResult, TrainThreadMessage>("train-thread.ts", input, {
    onMessage: (m) => {
      if (m.kind === "backend") log.info({ backend: m.backend.name }, "training thread backend");
      else if (m.kind === "progress") {
        resumedFromEpoch ??= m.p.epoch;
        progress.report({ ...m.p, epoch: m.p.epoch + 1, resumedFromEpoch });
      } else {
        log.info({ ...m.e, seconds: Math.round(m.e.seconds * 10) / 10 }, "epoch done");
        void progress.flush();
      }
    },
    shouldStop,
  });
  progress.report({ resumedFromEpoch: result.resumedFromEpoch });
  if (result.status === "stopped") return "stopped" as const;

  const n = ids.length;
  const labels = Array.from({ length: config.clusterings }, (_, h) => Array.from(result.labels.subarray(h * n, (h + 1) * n)));
  await writeTrainClusters(model.id, { imageIds: ids, m: config.m, labels });
  const metrics = {
    finalLoss: result.finalLoss,
    epochs: result.epochs,
    imgPerSec: Math.round(result.imgPerSec * 10) / 10,
    trainSeconds: Math.round((Date.now() - started) / 100) / 10,
    resumedFromEpoch: result.resumedFromEpoch,
  };
  await updateModel(model.id, { status: "indexing", imageCount: n, checkpointKey: keys.checkpoint(model.id), metrics });
  return { outcome: "success" as const, result: metrics };
}

export const trainHandler = defineHandler("train", handleTrain);
export const finetuneHandler = defineHandler("finetune", handleTrain);

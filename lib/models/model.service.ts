/**
 * Models of a collection: created when a training chain is queued ("training"), then "indexing" once
 * trained, "ready" when their index is complete, or "failed" / "cancelled". A model becomes the
 * collection's active one (the one search serves) only in activateModel, one transaction after its
 * index files are complete.
 */
import type { Prisma } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { writeTransaction } from "@/lib/db/transaction";
import { NotFoundError } from "@/lib/errors";
import type { LAConfig } from "@/lib/la/config";
import { keys } from "@/lib/storage";

export type ModelStatus = "training" | "indexing" | "ready" | "failed" | "cancelled";

/** What Model.metrics holds (every field optional: filled as the chain goes). */
export interface ModelMetrics {
  preset?: string;
  finalLoss?: number;
  epochs?: number;
  epochLosses?: number[];
  imgPerSec?: number;
  trainSeconds?: number;
  resumedFromEpoch?: number;
  indexSeconds?: number;
  indexedImages?: number;
  /** Clusters per scale, coarse to fine (the cluster step). */
  clusters?: { scale: string; m: number }[];
}

export interface ModelView {
  id: number;
  collectionId: number;
  parentId: number | null;
  status: string;
  active: boolean;
  imageCount: number;
  config: LAConfig;
  metrics: ModelMetrics;
  createdAt: string;
  updatedAt: string;
}

type ModelRow = Prisma.ModelGetPayload<object>;

function toView(m: ModelRow, activeId: number | null): ModelView {
  return {
    id: m.id,
    collectionId: m.collectionId,
    parentId: m.parentId,
    status: m.status,
    active: m.id === activeId,
    imageCount: m.imageCount,
    config: m.config as unknown as LAConfig,
    metrics: (m.metrics ?? {}) as ModelMetrics,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

export function createModel(
  input: { collectionId: number; config: LAConfig; parentId?: number | null; imageCount: number; preset?: string },
  db: Prisma.TransactionClient = prisma,
): Promise<ModelRow> {
  return db.model.create({
    data: {
      collectionId: input.collectionId,
      parentId: input.parentId ?? null,
      config: input.config as unknown as Prisma.InputJsonValue,
      imageCount: input.imageCount,
      embeddingDim: input.config.embeddingDim,
      metrics: { preset: input.preset } as Prisma.InputJsonValue,
    },
  });
}

export async function getModel(id: number): Promise<ModelRow> {
  const m = await prisma.model.findUnique({ where: { id } });
  if (!m) throw new NotFoundError(`model ${id} not found`);
  return m;
}

/** Merges `patch` into the model's metrics and sets the other fields given. */
export async function updateModel(id: number, patch: { status?: ModelStatus; metrics?: ModelMetrics; imageCount?: number; checkpointKey?: string }): Promise<void> {
  const m = await getModel(id);
  await prisma.model.update({
    where: { id },
    data: {
      status: patch.status,
      imageCount: patch.imageCount,
      checkpointKey: patch.checkpointKey,
      metrics: patch.metrics ? ({ ...((m.metrics ?? {}) as object), ...patch.metrics } as Prisma.InputJsonValue) : undefined,
    },
  });
}

/** Marks a model that will not become ready (its chain failed or was cancelled); ready models stay ready. */
export async function abandonModel(id: number, status: "failed" | "cancelled", db: Prisma.TransactionClient = prisma): Promise<void> {
  await db.model.updateMany({ where: { id, status: { in: ["training", "indexing"] } }, data: { status } });
}

/**
 * Makes a model the one its collection serves: status "ready", its index key, and Collection.activeModelId,
 * in one transaction. Call only after the index files are complete on disk.
 */
export async function activateModel(id: number, metrics: ModelMetrics): Promise<void> {
  const m = await getModel(id);
  await writeTransaction(async (tx) => {
    await tx.model.update({
      where: { id },
      data: { status: "ready", indexKey: keys.index(id), metrics: { ...((m.metrics ?? {}) as object), ...metrics } as Prisma.InputJsonValue },
    });
    await tx.collection.update({ where: { id: m.collectionId }, data: { activeModelId: id } });
  });
}

/** The collection's models, newest first, with which one is active. */
export async function listModels(collectionId: number): Promise<ModelView[]> {
  const c = await prisma.collection.findUnique({ where: { id: collectionId }, select: { activeModelId: true } });
  if (!c) throw new NotFoundError(`collection ${collectionId} not found`);
  const rows = await prisma.model.findMany({ where: { collectionId }, orderBy: { id: "desc" } });
  return rows.map((m) => toView(m, c.activeModelId));
}

export interface ModelHistory {
  collectionId: number;
  activeModelId: number | null;
  imageCount: number;
  /** Images stored since the active model was trained: a fine-tune is offered when there are any. */
  newImagesSinceActive: number;
  finetuneOffered: boolean;
  models: ModelView[];
}

export async function getModelHistory(collectionId: number): Promise<ModelHistory> {
  const models = await listModels(collectionId);
  const imageCount = await prisma.image.count({ where: { collectionId } });
  const active = models.find((m) => m.active) ?? null;
  const newImagesSinceActive = active ? Math.max(0, imageCount - active.imageCount) : 0;
  return { collectionId, activeModelId: active?.id ?? null, imageCount, newImagesSinceActive, finetuneOffered: newImagesSinceActive > 0, models };
}

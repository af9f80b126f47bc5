import fs from "node:fs/promises";
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { keys, resolveKey } from "@/lib/storage";

export const CollectionName = z.string().trim().min(1, "a name is required").max(100, "at most 100 characters");

/** Ingest-level settings; training settings are validated by lib/la and passed through here. */
export const CollectionSettings = z
  .object({
    resolution: z.number().int().min(8).max(512).optional(),
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
  })
  .passthrough();

export const CreateCollection = z.object({ name: CollectionName, settings: CollectionSettings.default({}) });
export const UpdateCollection = z.object({ name: CollectionName });

export interface CollectionSummary {
  id: number;
  name: string;
  settings: Record<string, unknown>;
  imageCount: number;
  activeModelId: number | null;
  createdAt: Date;
}

const summarySelect = {
  id: true,
  name: true,
  settings: true,
  activeModelId: true,
  createdAt: true,
  _count: { select: { images: true } },
} as const;

type Row = { id: number; name: string; settings: unknown; activeModelId: number | null; createdAt: Date; _count: { images: number } };
const toSummary = (r: Row): CollectionSummary => ({
  id: r.id,
  name: r.name,
  settings: (r.settings ?? {}) as Record<string, unknown>,
  imageCount: r._count.images,
  activeModelId: r.activeModelId,
  createdAt: r.createdAt,
});

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === "P2002";

export async function createCollection(input: z.input<typeof CreateCollection>): Promise<CollectionSummary> {
  const { name, settings } = CreateCollection.parse(input);
  try {
    return toSummary(await prisma.collection.create({ data: { name, settings: settings as Prisma.InputJsonObject }, select: summarySelect }));
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`a collection named "${name}" already exists`);
    throw e;
  }
}

export async function listCollections(): Promise<CollectionSummary[]> {
  const rows = await prisma.collection.findMany({ where: { status: "ready" }, orderBy: { id: "asc" }, select: summarySelect });
  return rows.map(toSummary);
}

export async function getCollection(id: number): Promise<CollectionSummary & { labels: { label: string; count: number }[] }> {
  const row = await prisma.collection.findFirst({ where: { id, status: "ready" }, select: summarySelect });
  if (!row) throw new NotFoundError(`collection ${id} not found`);
  const groups = await prisma.image.groupBy({
    by: ["label"],
    where: { collectionId: id, label: { not: null } },
    _count: { _all: true },
    orderBy: { label: "asc" },
  });
  return { ...toSummary(row), labels: groups.map((g) => ({ label: g.label!, count: g._count._all })) };
}

/** The collection named `name`, created (with `settings`) if there is none. */
export async function ensureCollection(name: string, settings: Record<string, unknown> = {}): Promise<CollectionSummary> {
  const row = await prisma.collection.findFirst({ where: { name: CollectionName.parse(name), status: "ready" }, select: summarySelect });
  return row ? toSummary(row) : createCollection({ name, settings });
}

export async function renameCollection(id: number, input: z.input<typeof UpdateCollection>): Promise<CollectionSummary> {
  const { name } = UpdateCollection.parse(input);
  try {
    const { count } = await prisma.collection.updateMany({ where: { id, status: "ready" }, data: { name } });
    if (count === 0) throw new NotFoundError(`collection ${id} not found`);
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`a collection named "${name}" already exists`);
    throw e;
  }
  return getCollection(id);
}

/**
 * Deletes a collection with its files and rows. First marked "deleting" (and its name freed), so a
 * crash part-way leaves a delete that recoverStore() finishes at the next start.
 */
export async function deleteCollection(id: number): Promise<void> {
  const { count } = await prisma.collection.updateMany({
    where: { id, status: "ready" },
    data: { status: "deleting", name: `\u0000deleting-${id}` },
  });
  if (count === 0) throw new NotFoundError(`collection ${id} not found`);
  await finishDelete(id);
}

/** Removes the files of a collection marked "deleting" (its folder, its models' folders), then its rows. */
export async function finishDelete(id: number): Promise<void> {
  const models = await prisma.model.findMany({ where: { collectionId: id }, select: { id: true } });
  for (const m of models) await fs.rm(resolveKey(keys.model(m.id)), { recursive: true, force: true });
  await fs.rm(resolveKey(keys.collection(id)), { recursive: true, force: true });
  await prisma.collection.delete({ where: { id } });
  logger.info({ collectionId: id, models: models.length }, "collection deleted");
}

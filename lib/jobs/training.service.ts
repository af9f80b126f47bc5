/**
 * Training a collection: its settings and presets, and the job chain train (or finetune) -> index ->
 * cluster, queued together with the model it produces.
 */
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { writeTransaction } from "@/lib/db/transaction";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import type { LAConfig } from "@/lib/la/config";
import { createModel, type ModelMetrics } from "@/lib/models/model.service";
import { type JobView, toJobView } from "./job.service";
import { computePresets, DEFAULT_PRESET, type Preset, type PresetName, presetEpochs, presetNames } from "./presets";
import { enqueueChain } from "./queue";
import { assertSettingsFit, parseTrainingSettings, pickTrainingSettings, resolveTrainingConfig, type TrainingSettings } from "./settings";

const CHAIN_TYPES = ["train", "finetune", "index", "cluster"];

async function getCollection(id: number) {
  const c = await prisma.collection.findUnique({ where: { id }, include: { _count: { select: { images: true } } } });
  if (!c) throw new NotFoundError(`collection ${id} not found`);
  return c;
}

export interface TrainingSettingsView {
  collectionId: number;
  imageCount: number;
  settings: TrainingSettings;
  /** The config a training would use now (null while the collection is too small). */
  resolved: LAConfig | null;
  presets: Preset[];
  defaultPreset: PresetName;
}

/** The measured throughput of the collection's last trained model, for the presets' estimates. */
async function measuredThroughput(collectionId: number) {
  const m = await prisma.model.findFirst({ where: { collectionId, status: "ready" }, orderBy: { id: "desc" } });
  const metrics = (m?.metrics ?? {}) as ModelMetrics;
  const cfg = m?.config as LAConfig | undefined;
  return cfg && metrics.imgPerSec ? { imgPerSec: metrics.imgPerSec, resolution: cfg.resolution, channels: cfg.channels } : undefined;
}

export async function getTrainingSettings(collectionId: number): Promise<TrainingSettingsView> {
  const c = await getCollection(collectionId);
  const n = c._count.images;
  const settings = pickTrainingSettings(c.settings);
  let resolved: LAConfig | null = null;
  try {
    resolved = n >= 2 ? resolveTrainingConfig(settings, n) : null;
  } catch {
    resolved = null;
  }
  const res = settings.resolution ?? 32;
  const ch = settings.channels ?? 3;
  return { collectionId, imageCount: n, settings, resolved, presets: computePresets(n, res, ch, await measuredThroughput(collectionId)), defaultPreset: DEFAULT_PRESET };
}

/** Merges a settings update into the collection's settings after validating it against the collection. */
export async function updateTrainingSettings(collectionId: number, body: unknown): Promise<TrainingSettingsView> {
  const c = await getCollection(collectionId);
  const update = parseTrainingSettings(body);
  const next = { ...pickTrainingSettings(c.settings), ...update };
  assertSettingsFit(next, c._count.images);
  const stored = { ...((c.settings ?? {}) as object), ...update };
  await prisma.collection.update({ where: { id: collectionId }, data: { settings: stored as Prisma.InputJsonValue } });
  return getTrainingSettings(collectionId);
}

/** The body of POST /api/collections/:id/train. */
export const StartTrainingBody = z
  .object({
    preset: z.enum(presetNames).optional(),
    epochs: z.number().int().min(1).optional(),
    /** Continue from the active model on the grown collection instead of training from scratch. */
    finetune: z.boolean().optional(),
  })
  .strict();

export type StartTrainingInput = z.infer<typeof StartTrainingBody>;

export interface StartedChain {
  modelId: number;
  preset: PresetName | null;
  jobs: JobView[];
}

/** Parses a train request; unknown fields and bad values fail with the field named (422). */
export function parseStartTraining(body: unknown): StartTrainingInput {
  const parsed = StartTrainingBody.safeParse(body ?? {});
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => (i.code === "unrecognized_keys" ? `unknown field(s): ${i.keys.join(", ")}` : `${i.path.join(".")}: ${i.message}`));
    throw new ValidationError(msg.join("; "), parsed.error.issues);
  }
  return parsed.data;
}

/** Jobs of the collection's chain that are still queued or running. */
export async function activeChainJobs(collectionId: number): Promise<JobView[]> {
  const rows = await prisma.job.findMany({ where: { collectionId, type: { in: CHAIN_TYPES }, status: { in: ["queued", "running"] } }, orderBy: { id: "asc" } });
  return rows.map(toJobView);
}

/**
 * Queues train (or finetune) -> index -> cluster for the collection with a new model.
 * ConflictError if a chain is already queued or running; ValidationError on bad settings.
 */
export async function startTraining(collectionId: number, input: StartTrainingInput = {}): Promise<StartedChain> {
  const c = await getCollection(collectionId);
  const n = c._count.images;
  const settings = pickTrainingSettings(c.settings);
  const parent = input.finetune ? await prisma.model.findUnique({ where: { id: c.activeModelId ?? -1 } }) : null;
  if (input.finetune && !parent) throw new ValidationError("fine-tuning needs an active model; train the collection first");
  const preset = input.preset ?? (input.epochs !== undefined || settings.epochs !== undefined ? null : DEFAULT_PRESET);
  const epochs = input.epochs ?? (preset ? presetEpochs(preset, n) : undefined);
  const overrides: Partial<LAConfig> = { ...(epochs !== undefined ? { epochs } : {}) };
  if (parent) {
    const p = parent.config as unknown as LAConfig;
    // same architecture as the parent; it is trained already, so no IR warm-up
    Object.assign(overrides, { resolution: p.resolution, channels: p.channels, widthMultiplier: p.widthMultiplier, embeddingDim: p.embeddingDim, warmupEpochs: 0 });
  }
  const config = resolveTrainingConfig(settings, n, overrides);
  return writeTransaction(async (tx) => {
    // Writing the collection row first takes its lock (SQLite: the database's write lock; PostgreSQL:
    // the row's), so of two concurrent starts, in one process or two, only one finds no active chain.
    await tx.collection.update({ where: { id: collectionId }, data: { updatedAt: new Date() } });
    const active = await tx.job.count({ where: { collectionId, type: { in: CHAIN_TYPES }, status: { in: ["queued", "running"] } } });
    if (active) throw new ConflictError(`a training chain is already queued or running for collection ${collectionId}`);
    const model = await createModel({ collectionId, config, parentId: parent?.id, imageCount: n, preset: preset ?? undefined }, tx);
    const base = { collectionId, modelId: model.id };
    const jobs = await enqueueChain([{ type: parent ? "finetune" : "train", ...base }, { type: "index", ...base }, { type: "cluster", ...base }], tx);
    return { modelId: model.id, preset, jobs: jobs.map(toJobView) };
  });
}

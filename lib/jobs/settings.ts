/**
 * A collection's training settings (Collection.settings): image resolution and channels (also the
 * tensor-cache format, see lib/images/pixels.ts) and the LA hyperparameters users may set. Names are
 * lib/la's LAConfig fields: H = clusterings, k_bg = kBg, τ = tau. Unset fields take lib/la's defaults,
 * scaled to the collection size.
 */
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { type LAConfig, resolveConfig } from "@/lib/la/config";

export const trainingSettingsSchema = z
  .object({
    resolution: z.number().int().min(8).max(512),
    channels: z.union([z.literal(1), z.literal(3)]),
    epochs: z.number().int().min(1).max(10000),
    warmupEpochs: z.number().int().min(0).max(10000),
    clusterings: z.number().int().min(1).max(100),
    m: z.number().int().min(1),
    kBg: z.number().int().min(1),
    tau: z.number().gt(0.001).max(10),
    lr: z.number().gt(0).max(10),
    batchSize: z.number().int().min(2).max(4096),
    clusterOn: z.enum(["bank", "embeddings"]),
  })
  .partial()
  .strict();

export type TrainingSettings = z.infer<typeof trainingSettingsSchema>;
const settingKeys = Object.keys(trainingSettingsSchema.shape) as (keyof TrainingSettings)[];

/** The training settings stored in a collection's settings JSON (other keys are ignored). */
export function pickTrainingSettings(stored: unknown): TrainingSettings {
  const s = (stored && typeof stored === "object" ? stored : {}) as Record<string, unknown>;
  const picked = Object.fromEntries(settingKeys.filter((k) => s[k] !== undefined && s[k] !== null).map((k) => [k, s[k]]));
  const parsed = trainingSettingsSchema.safeParse(picked);
  return parsed.success ? parsed.data : {};
}

/** Parses a settings update; unknown keys and wrong types fail with the field named. */
export function parseTrainingSettings(body: unknown): TrainingSettings {
  const parsed = trainingSettingsSchema.safeParse(body);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`).join("; ");
    throw new ValidationError(`invalid settings: ${msg}`, parsed.error.issues);
  }
  return parsed.data;
}

/**
 * The full LA config for n images from settings plus overrides (a preset's epochs, a fine-tune's
 * architecture); throws ValidationError naming each bad value (e.g. kBg larger than the collection).
 */
export function resolveTrainingConfig(settings: TrainingSettings, n: number, overrides: Partial<LAConfig> = {}): LAConfig {
  if (n < 2) throw new ValidationError(`the collection has ${n} image(s); training needs at least 2`);
  const merged: Partial<LAConfig> = { ...settings, ...overrides };
  // lib/la's default batch (128) is larger than a small collection; shrink it unless the user set it.
  if (merged.batchSize === undefined && n < 128) merged.batchSize = n;
  if (overrides.epochs !== undefined && overrides.warmupEpochs === undefined && settings.warmupEpochs !== undefined && settings.warmupEpochs > overrides.epochs) {
    merged.warmupEpochs = Math.round(0.4 * overrides.epochs);
  }
  try {
    return resolveConfig(merged, n);
  } catch (e) {
    throw new ValidationError((e as Error).message.replace(/^invalid LA config: /, "invalid settings: "));
  }
}

/** Checks settings against the collection's size where it is known (n >= 2). */
export function assertSettingsFit(settings: TrainingSettings, n: number): void {
  if (n >= 2) resolveTrainingConfig(settings, n);
}

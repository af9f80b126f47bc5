/**
 * Training configuration of Local Aggregation (Zhuang, Zhai & Yamins, "Local Aggregation for
 * Unsupervised Learning of Visual Embeddings", ICCV 2019, arXiv:1903.12355) and its IR warm-up
 * (Wu et al., "Unsupervised Feature Learning via Non-Parametric Instance Discrimination", CVPR 2018).
 *
 * Notation -> field:
 *   D (embedding size) -> embeddingDim     τ (temperature) -> tau        t (bank mixing) -> bankMomentum
 *   H (clusterings)    -> clusterings      m (clusters)    -> m          k (|B_i|)       -> kBg
 *
 * `resolveConfig(overrides, n)` validates overrides with a .strict() zod schema (unknown keys and wrong
 * types fail, with the offending value in the message) and fills defaults scaled to the collection
 * size n. Defaults and where they come from:
 *   - tau 0.07, bankMomentum 0.5, lr 0.03, momentum 0.9, batch 128, kmeansIterations 20: the
 *     authors' released configs (neuroailab/LocalAggregation).
 *   - weightDecay 5e-4 (the authors use 1e-4 on ImageNet; small collections overfit faster).
 *   - m ≈ n/40 clamped to [2, 30000] (ImageNet: 1.28M / 30000 ≈ 43 images per cluster).
 *   - kBg ≈ min(n, max(256, n/10)) clamped to 4096: ImageNet uses 0.3% of N, which on a few thousand
 *     images leaves too few background images to contrast against (10k Fashion-MNIST: kBg 1000 and
 *     4096 gave the same kNN accuracy, 66.9 vs 67.0 200-NN).
 *   - warmupEpochs = 50% of the epochs (LA-SPEC.md: LA started on a poor IR embedding locks in poor
 *     neighbourhoods; measured on 10k Fashion-MNIST, 20 epochs: LA after 10 IR epochs 66.9 / 65.7
 *     200-NN / 1-NN, after 5 IR epochs 64.6 / 63.6).
 *   - lrDecayEpochs at 80% and 93.5% of the epochs (ImageNet: epochs 160 and 187 of 200).
 *   - clusterOn "bank" (the paper). "embeddings" clusters the un-augmented images' embeddings instead
 *     (inference mode, one extra pass over the collection per LA epoch): purer clusters; on 5k
 *     Fashion-MNIST, 1-NN +0.3 to +1.9 over IR in four paired runs (+0.7 to +2.4 over bank clustering
 *     in three), 200-NN -0.6 to +0.3; on the full 60k, +1.6 / +2.1 over IR (README, "What the model learns").
 * Throws: Error listing every invalid field and why.
 */
import { z } from "zod";

const augmentationSchema = z
  .object({
    /** Random resized crop: area fraction range and aspect-ratio range (torchvision semantics). */
    cropAreaMin: z.number().gt(0).max(1),
    cropAreaMax: z.number().gt(0).max(1),
    aspectMin: z.number().gt(0),
    aspectMax: z.number().gt(0),
    hflip: z.boolean(),
    brightness: z.number().min(0).max(1),
    contrast: z.number().min(0).max(1),
    /** Colour images only (channels = 3). */
    saturation: z.number().min(0).max(1),
    hue: z.number().min(0).max(0.5),
    grayscaleProb: z.number().min(0).max(1),
  })
  .strict();

export type AugmentationConfig = z.infer<typeof augmentationSchema>;

const configSchema = z
  .object({
    resolution: z.number().int().min(8).max(512),
    channels: z.union([z.literal(1), z.literal(3)]),
    widthMultiplier: z.number().gt(0).max(8),
    embeddingDim: z.number().int().min(2).max(4096),
    epochs: z.number().int().min(1).max(10000),
    warmupEpochs: z.number().int().min(0),
    batchSize: z.number().int().min(2).max(4096),
    lr: z.number().gt(0).max(10),
    momentum: z.number().min(0).lt(1),
    weightDecay: z.number().min(0).max(1),
    lrDecayEpochs: z.array(z.number().int().min(0)),
    lrDecayFactor: z.number().gt(0).max(1),
    tau: z.number().gt(0.001).max(10),
    bankMomentum: z.number().min(0).lt(1),
    clusterings: z.number().int().min(1).max(100),
    m: z.number().int().min(1),
    kBg: z.number().int().min(1),
    kmeansIterations: z.number().int().min(1).max(1000),
    /** What k-means clusters before each LA epoch: the memory bank (the paper) or fresh embeddings. */
    clusterOn: z.enum(["bank", "embeddings"]),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    augmentation: augmentationSchema,
  })
  .strict();

export type LAConfig = z.infer<typeof configSchema>;

const overridesSchema = configSchema.extend({ augmentation: augmentationSchema.partial() }).partial().strict();

/** What callers may pass: any subset of fields, augmentation fields included one by one. */
export type LAConfigOverrides = z.infer<typeof overridesSchema>;

/** The augmentation of Wu et al. / LA (random resized crop 0.2-1, flip, colour jitter 0.4, grayscale 0.2). */
export function defaultAugmentation(): AugmentationConfig {
  return {
    cropAreaMin: 0.2,
    cropAreaMax: 1,
    aspectMin: 3 / 4,
    aspectMax: 4 / 3,
    hflip: true,
    brightness: 0.4,
    contrast: 0.4,
    saturation: 0.4,
    hue: 0.4,
    grayscaleProb: 0.2,
  };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Defaults for a collection of n images (see the module header for their sources). */
export function defaultConfig(n: number, epochs = 20): LAConfig {
  return {
    resolution: 32,
    channels: 3,
    widthMultiplier: 1,
    embeddingDim: 128,
    epochs,
    warmupEpochs: Math.round(0.5 * epochs),
    batchSize: Math.min(128, n),
    lr: 0.03,
    momentum: 0.9,
    weightDecay: 5e-4,
    lrDecayEpochs: defaultDecayEpochs(epochs),
    lrDecayFactor: 0.1,
    tau: 0.07,
    bankMomentum: 0.5,
    clusterings: 3,
    m: clamp(Math.round(n / 40), Math.min(2, n), 30000),
    kBg: Math.min(n, clamp(Math.round(n / 10), 256, 4096)),
    kmeansIterations: 20,
    clusterOn: "bank",
    seed: 0,
    augmentation: defaultAugmentation(),
  };
}

function defaultDecayEpochs(epochs: number): number[] {
  if (epochs < 5) return [];
  return [...new Set([Math.floor(0.8 * epochs), Math.floor(0.935 * epochs)])].filter((e) => e > 0 && e < epochs);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined), root);
}

function formatIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((i) => {
      const value = valueAt(input, i.path);
      const got = i.path.length && value !== undefined ? ` (got ${JSON.stringify(value)})` : "";
      return `${i.path.join(".") || "(root)"}: ${i.message}${got}`;
    })
    .join("; ");
}

/**
 * Validates `overrides` and fills every missing field with defaults scaled to n.
 * Epoch-dependent defaults (warm-up, lr decay) follow `overrides.epochs` when only that is given.
 */
export function resolveConfig(overrides: Partial<LAConfig> | unknown, n: number): LAConfig {
  if (!Number.isInteger(n) || n < 2) throw new Error(`collection size must be an integer >= 2 (got ${n})`);
  const parsed = overridesSchema.safeParse(overrides ?? {});
  if (!parsed.success) throw new Error(`invalid LA config: ${formatIssues(parsed.error, overrides)}`);
  const o = parsed.data;
  const base = defaultConfig(n, o.epochs ?? 20);
  const cfg: LAConfig = { ...base, ...o, augmentation: { ...base.augmentation, ...o.augmentation } };
  const errors: string[] = [];
  if (cfg.warmupEpochs > cfg.epochs) errors.push(`warmupEpochs ${cfg.warmupEpochs} exceeds epochs ${cfg.epochs}`);
  if (cfg.kBg > n) errors.push(`kBg ${cfg.kBg} exceeds the collection size ${n}`);
  if (cfg.m > n) errors.push(`m ${cfg.m} exceeds the collection size ${n}`);
  if (cfg.batchSize > n) errors.push(`batchSize ${cfg.batchSize} exceeds the collection size ${n}`);
  const a = cfg.augmentation;
  if (a.cropAreaMin > a.cropAreaMax) errors.push(`augmentation.cropAreaMin ${a.cropAreaMin} exceeds cropAreaMax ${a.cropAreaMax}`);
  if (a.aspectMin > a.aspectMax) errors.push(`augmentation.aspectMin ${a.aspectMin} exceeds aspectMax ${a.aspectMax}`);
  const badDecay = cfg.lrDecayEpochs.filter((e) => e >= cfg.epochs);
  if (badDecay.length) errors.push(`lrDecayEpochs ${JSON.stringify(badDecay)} not below epochs ${cfg.epochs}`);
  if (errors.length) throw new Error(`invalid LA config: ${errors.join("; ")}`);
  return cfg;
}

/** Learning rate of an epoch: lr times lrDecayFactor for every decay epoch already reached. */
export function computeLearningRate(cfg: LAConfig, epoch: number): number {
  return cfg.lr * cfg.lrDecayFactor ** cfg.lrDecayEpochs.filter((e) => epoch >= e).length;
}

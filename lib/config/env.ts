import os from "node:os";
import { z } from "zod";
import { dataDir, databaseUrl } from "./database-url";

/** Every environment variable the service reads, with its default. Parsed once. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  LA_BACKEND: z.enum(["auto", "tensorflow", "wasm", "cpu"]).default("auto"),
  /** WASM backend: "0" keeps convolutions, matmul and top-k inside WASM instead of the OpenBLAS addon (lib/tf/kernels reads it). */
  LA_NATIVE_KERNELS: z.enum(["0", "1"]).default("1"),
  LA_FAISS_THREADS: z.coerce.number().int().min(1).max(256).default(1),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /** A worker whose heartbeat is older than this is reported stale by /api/health. */
  LA_WORKER_STALE_S: z.coerce.number().positive().default(30),
  /** Search (lib/vector): indexes of at least this many images are IVF (approximate), smaller ones exact flat. */
  LA_IVF_THRESHOLD: z.coerce.number().int().min(1).default(20_000),
  /** Inverted lists an IVF query visits (of about sqrt(n)). */
  LA_IVF_NPROBE: z.coerce.number().int().min(1).default(16),
  /** When set, every page and API call needs a session (log in with it) or `Authorization: Bearer <token>`. */
  LA_AUTH_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Ingest limits (lib/images/limits.ts): one file, one upload request, decoded pixels, zip entries and total unpacked size. */
  LA_MAX_FILE_BYTES: z.coerce.number().int().positive().default(50 * 1024 ** 2),
  LA_MAX_REQUEST_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
  LA_MAX_PIXELS: z.coerce.number().int().positive().default(100_000_000),
  LA_MAX_ZIP_ENTRIES: z.coerce.number().int().positive().default(50_000),
  LA_MAX_ZIP_BYTES: z.coerce.number().int().positive().default(8 * 1024 ** 3),
  /** This worker's name in job leases and the Worker table (default: hostname-pid). */
  LA_WORKER_ID: z.string().min(1).max(200).optional(),
  /** How long a job lease lasts without renewal; a job whose lease expires goes back to the queue. */
  LA_LEASE_S: z.coerce.number().positive().default(60),
  /** How often a worker renews its lease and its Worker heartbeat row. */
  LA_HEARTBEAT_S: z.coerce.number().positive().default(5),
  /** Threads a training job uses: data-parallel replicas, one WASM backend (one core) each. Default: the cores, at most 8. */
  LA_TRAIN_THREADS: z.coerce.number().int().min(1).max(64).default(Math.min(8, Math.max(1, os.availableParallelism()))),
  /** How long an idle worker waits before looking for a job again. */
  LA_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** Cluster explorer (lib/clusters/config.ts): scales as "name:m,..." (default coarse/medium/fine from n). */
  LA_CLUSTER_SCALES: z.string().regex(/^[a-z][a-z0-9-]*:\d+(,[a-z][a-z0-9-]*:\d+)*$/, 'expected "name:m,name:m"').optional(),
  /** Seeded k-means runs per scale (the best is kept; the others measure stability). */
  LA_CLUSTER_SEEDS: z.coerce.number().int().min(1).max(20).default(3),
  LA_CLUSTER_ITERATIONS: z.coerce.number().int().min(1).max(200).default(20),
  /** Softmax temperature of the soft memberships. */
  LA_CLUSTER_TAU: z.coerce.number().positive().max(10).default(0.05),
  /** The map uses UMAP up to this many images, PCA above. */
  LA_MAP_UMAP_MAX: z.coerce.number().int().min(0).default(10_000),
  /** Lowest cosine at which two images of one fine cluster are near-duplicates (raised per model above random pairs). */
  LA_DUPLICATE_SIMILARITY: z.coerce.number().min(-1).max(1).default(0.95),
});

export type Env = z.infer<typeof EnvSchema> & { dataDir: string; databaseUrl: string };

export class ConfigError extends Error {
  constructor(issues: string[]) {
    super(`Invalid environment:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** Validates an environment; throws one ConfigError listing every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join(".")}=${JSON.stringify(source[String(i.path[0])])}: ${i.message}`),
    );
  }
  return { ...result.data, dataDir: dataDir(source), databaseUrl: databaseUrl(source) };
}

let cached: Env | undefined;

/** The validated environment of this process. */
export function env(): Env {
  return (cached ??= parseEnv(process.env));
}

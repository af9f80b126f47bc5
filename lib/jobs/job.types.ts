import { z } from "zod";

/**
 * Job names, their payloads and their outcomes. A handler's payload type follows from its name
 * (`PayloadOf<"index.append">`); payloads are validated with these schemas before a handler runs.
 * Ids (collection, model) live in the job row's columns, not in the payload.
 */
export const payloadSchemas = {
  /** Train a new model of the collection (IR warm-up, then LA), from scratch. */
  train: z.object({}).strict(),
  /** Continue training from the model's parent (the collection's active model) on the grown collection. */
  finetune: z.object({}).strict(),
  /** Embed every image, write the model's FAISS index, activate the model. */
  index: z.object({}).strict(),
  /** Store the model's clusterings (until the cluster explorer lands: the last training epoch's k-means). */
  cluster: z.object({}).strict(),
  /** Embed images added to a collection with an active model and append them to its index. */
  "index.append": z.object({ imageIds: z.array(z.number().int().positive()).default([]) }).strict(),
  /** A diagnostic job: `steps` steps of `stepMs` each, then the given outcome (or a thrown error). */
  sleep: z
    .object({
      steps: z.number().int().min(0).max(100_000).default(1),
      stepMs: z.number().int().min(0).max(60_000).default(0),
      outcome: z.enum(["success", "skipped", "failed"]).default("success"),
      throwMessage: z.string().optional(),
    })
    .strict(),
} as const;

export type JobName = keyof typeof payloadSchemas;
export const jobNames = Object.keys(payloadSchemas) as JobName[];
export type PayloadOf<N extends JobName> = z.infer<(typeof payloadSchemas)[N]>;

export function isJobName(s: string): s is JobName {
  return Object.hasOwn(payloadSchemas, s);
}

export const JobStatus = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];
export const activeStatuses: JobStatus[] = ["queued", "running"];
export const terminalStatuses: JobStatus[] = ["succeeded", "failed", "cancelled"];

/**
 * What a handler returns for an expected outcome (it throws only for faults worth retrying):
 * `stopped` means it returned early because `shouldStop()` said so (cancel, shutdown, lost lease).
 */
export type JobOutcome = "success" | "skipped" | "failed" | "stopped";
export type HandlerResult = JobOutcome | { outcome: JobOutcome; result?: Record<string, unknown>; error?: string };

/** Live progress of a running job, as shown by the training page and the CLI. */
export interface JobProgress {
  phase?: string;
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number;
  loss?: number;
  imgPerSec?: number;
  etaSeconds?: number;
  resumedFromEpoch?: number;
}

/** Why a running job is asked to stop. */
export type StopReason = "cancel" | "shutdown" | "lease-lost";

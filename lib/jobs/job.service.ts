/** Reading and cancelling jobs, as the API, the training page and the CLI see them. */
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { type JobRow, requestCancel } from "./queue";

export interface JobView {
  id: number;
  type: string;
  status: string;
  collectionId: number | null;
  modelId: number | null;
  dependsOnId: number | null;
  attempts: number;
  maxAttempts: number;
  cancelRequested: boolean;
  phase: string | null;
  epoch: number | null;
  epochs: number | null;
  step: number | null;
  steps: number | null;
  loss: number | null;
  imgPerSec: number | null;
  etaSeconds: number | null;
  resumedFromEpoch: number | null;
  leaseOwner: string | null;
  result: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface MetricPoint {
  id: number;
  epoch: number;
  step: number;
  loss: number;
  imgPerSec: number | null;
  t: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toJobView(j: JobRow): JobView {
  return {
    id: j.id,
    type: j.type,
    status: j.status,
    collectionId: j.collectionId,
    modelId: j.modelId,
    dependsOnId: j.dependsOnId,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    cancelRequested: j.cancelRequested,
    phase: j.phase,
    epoch: j.epoch,
    epochs: j.epochs,
    step: j.step,
    steps: j.steps,
    loss: j.loss,
    imgPerSec: j.imgPerSec,
    etaSeconds: j.etaSeconds,
    resumedFromEpoch: j.resumedFromEpoch,
    leaseOwner: j.leaseOwner,
    result: j.result,
    error: j.error,
    createdAt: j.createdAt.toISOString(),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
    updatedAt: j.updatedAt.toISOString(),
  };
}

export async function getJob(id: number): Promise<JobView> {
  const j = await prisma.job.findUnique({ where: { id } });
  if (!j) throw new NotFoundError(`job ${id} not found`);
  return toJobView(j);
}

/** Jobs, newest first; of one collection when given. */
export async function listJobs(opts: { collectionId?: number; limit?: number } = {}): Promise<JobView[]> {
  const rows = await prisma.job.findMany({
    where: opts.collectionId === undefined ? {} : { collectionId: opts.collectionId },
    orderBy: { id: "desc" },
    take: opts.limit ?? 100,
  });
  return rows.map(toJobView);
}

/** Loss-curve points of a job after point `afterId` (0: from the start), oldest first. */
export async function getJobMetrics(jobId: number, afterId = 0, limit = 2000): Promise<MetricPoint[]> {
  const rows = await prisma.jobMetric.findMany({ where: { jobId, id: { gt: afterId } }, orderBy: { id: "asc" }, take: limit });
  return rows.map((r) => ({ id: r.id, epoch: r.epoch, step: r.step, loss: r.loss, imgPerSec: r.imgPerSec, t: r.createdAt.toISOString() }));
}

export async function cancelJob(id: number): Promise<JobView> {
  return toJobView(await requestCancel(id));
}

export const isTerminal = (status: string) => status === "succeeded" || status === "failed" || status === "cancelled";

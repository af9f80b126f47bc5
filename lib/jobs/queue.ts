/**
 * The job queue, kept in the database (table Job). Every state change is a conditional update checked
 * by its affected-row count, so several worker processes (or machines, on PostgreSQL) can share it:
 *
 *   queued --claimNextJob--> running --finishJob--> succeeded | failed | cancelled
 *     ^                        |
 *     +--- lease expired, failed attempt (attempts < maxAttempts), graceful shutdown
 *
 * A running job holds a lease (owner, expiry) that its worker renews with every heartbeat. A job that
 * ends failed or cancelled cancels the queued jobs that depend on it (the rest of its chain).
 */
import type { Prisma } from "@/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { writeTransaction } from "@/lib/db/transaction";
import { NotFoundError } from "@/lib/errors";
import { abandonModel } from "@/lib/models/model.service";
import { type JobName, type JobProgress, type JobStatus, terminalStatuses } from "./job.types";

export type JobRow = Prisma.JobGetPayload<object>;

export interface NewJob {
  type: JobName;
  collectionId?: number | null;
  modelId?: number | null;
  payload?: Record<string, unknown>;
  maxAttempts?: number;
  priority?: number;
}

const leaseUntil = (seconds: number) => new Date(Date.now() + seconds * 1000);

/** Adds one job. */
export function enqueueJob(job: NewJob, dependsOnId?: number, db: Prisma.TransactionClient = prisma): Promise<JobRow> {
  return db.job.create({
    data: {
      type: job.type,
      collectionId: job.collectionId ?? null,
      modelId: job.modelId ?? null,
      payload: (job.payload ?? {}) as Prisma.InputJsonValue,
      maxAttempts: job.maxAttempts ?? 3,
      priority: job.priority ?? 0,
      dependsOnId: dependsOnId ?? null,
    },
  });
}

/** Adds jobs that run one after the other: each waits until the previous one has succeeded. */
export async function enqueueChain(jobs: NewJob[], db: Prisma.TransactionClient = prisma): Promise<JobRow[]> {
  const rows: JobRow[] = [];
  for (const job of jobs) rows.push(await enqueueJob(job, rows.at(-1)?.id, db));
  return rows;
}

export interface ClaimFilter {
  /** Only these jobs (the CLI's --inline run of its own chain). */
  ids?: number[];
  types?: string[];
}

/**
 * Takes the next runnable job for `owner`, or null. The one place that decides who runs what.
 *
 * SQLite: pick candidates, then `UPDATE Job SET status='running', ... WHERE id=? AND status='queued'`;
 * the row is ours only if that update changed exactly one row (another worker may have won the race,
 * then the next candidate is tried). On PostgreSQL this becomes one
 * `UPDATE ... WHERE id = (SELECT id ... FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING *`.
 */
export async function claimNextJob(owner: string, leaseSeconds: number, filter: ClaimFilter = {}): Promise<JobRow | null> {
  const now = new Date();
  const candidates = await prisma.job.findMany({
    where: {
      status: "queued",
      runAfter: { lte: now },
      OR: [{ dependsOnId: null }, { dependsOn: { status: "succeeded" } }],
      ...(filter.ids ? { id: { in: filter.ids } } : {}),
      ...(filter.types ? { type: { in: filter.types } } : {}),
    },
    orderBy: [{ priority: "desc" }, { id: "asc" }],
    take: 8,
    select: { id: true },
  });
  for (const { id } of candidates) {
    const { count } = await prisma.job.updateMany({
      // Appends to one collection's index never run at the same time (each rewrites the index files);
      // the condition is part of the update, so two claimers cannot both pass it.
      where: { id, status: "queued", NOT: { type: "index.append", collection: { jobs: { some: { type: "index.append", status: "running" } } } } },
      data: {
        status: "running",
        leaseOwner: owner,
        leaseExpiresAt: leaseUntil(leaseSeconds),
        attempts: { increment: 1 },
        startedAt: now,
        resumedFromEpoch: null,
      },
    });
    if (count === 1) return prisma.job.findUniqueOrThrow({ where: { id } });
  }
  return null;
}

/** Extends the lease of a job `owner` runs. `held` false: the lease was lost (expired and taken over). */
export async function renewLease(id: number, owner: string, leaseSeconds: number): Promise<{ held: boolean; cancelRequested: boolean }> {
  const { count } = await prisma.job.updateMany({
    where: { id, status: "running", leaseOwner: owner },
    data: { leaseExpiresAt: leaseUntil(leaseSeconds) },
  });
  if (count === 0) return { held: false, cancelRequested: false };
  const row = await prisma.job.findUnique({ where: { id }, select: { cancelRequested: true } });
  return { held: true, cancelRequested: row?.cancelRequested ?? false };
}

/** Writes a running job's progress fields (only while `owner` holds it). */
export async function writeProgress(id: number, owner: string, p: JobProgress, point?: { loss: number; imgPerSec?: number }): Promise<boolean> {
  const { count } = await prisma.job.updateMany({ where: { id, status: "running", leaseOwner: owner }, data: p });
  if (count === 1 && point) {
    await prisma.jobMetric.create({ data: { jobId: id, epoch: p.epoch ?? 0, step: p.step ?? 0, loss: point.loss, imgPerSec: point.imgPerSec } });
  }
  return count === 1;
}

/** Ends a job `owner` runs. False if the lease was lost meanwhile (someone else owns the outcome). */
export async function finishJob(
  id: number,
  owner: string,
  status: Extract<JobStatus, "succeeded" | "failed" | "cancelled">,
  extra: { result?: Record<string, unknown>; error?: string } = {},
): Promise<boolean> {
  // one transaction: nobody sees the job ended while its chain and model still look alive
  return writeTransaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id, status: "running", leaseOwner: owner },
      data: {
        status,
        result: extra.result as Prisma.InputJsonValue | undefined,
        error: extra.error ?? null,
        finishedAt: new Date(),
        leaseOwner: null,
        leaseExpiresAt: null,
      },
    });
    if (count === 1 && status !== "succeeded") await abandonChain(id, status, tx);
    return count === 1;
  });
}

/**
 * Records a failed attempt (a thrown fault): back to the queue with a short back-off, or `failed` with
 * the error once attempts reach maxAttempts.
 */
export async function failAttempt(id: number, owner: string, error: string): Promise<"retrying" | "failed" | "lost"> {
  const row = await prisma.job.findUnique({ where: { id }, select: { attempts: true, maxAttempts: true } });
  if (!row) return "lost";
  if (row.attempts >= row.maxAttempts) return (await finishJob(id, owner, "failed", { error })) ? "failed" : "lost";
  const { count } = await prisma.job.updateMany({
    where: { id, status: "running", leaseOwner: owner },
    data: { status: "queued", error, leaseOwner: null, leaseExpiresAt: null, runAfter: new Date(Date.now() + 1000 * row.attempts) },
  });
  return count === 1 ? "retrying" : "lost";
}

/** Gives a job back to the queue without counting the attempt (graceful shutdown after a checkpoint). */
export async function releaseJob(id: number, owner: string): Promise<boolean> {
  const { count } = await prisma.job.updateMany({
    where: { id, status: "running", leaseOwner: owner },
    data: { status: "queued", leaseOwner: null, leaseExpiresAt: null, attempts: { decrement: 1 } },
  });
  return count === 1;
}

/**
 * Running jobs whose lease has expired (their worker died or hung) go back to the queue, or end
 * `failed` when they have used all their attempts. `owner` given: only that owner's jobs, expired or
 * not (a restarted worker with a fixed LA_WORKER_ID takes back what its previous life held).
 */
export async function requeueExpiredLeases(owner?: string): Promise<number> {
  const where: Prisma.JobWhereInput = owner ? { status: "running", leaseOwner: owner } : { status: "running", leaseExpiresAt: { lt: new Date() } };
  const exhausted = await prisma.job.findMany({
    where: { ...where, attempts: { gte: prisma.job.fields.maxAttempts } },
    select: { id: true, leaseOwner: true, attempts: true },
  });
  for (const j of exhausted) {
    const error = `worker ${j.leaseOwner} stopped answering (lease expired) on attempt ${j.attempts}`;
    await finishJob(j.id, j.leaseOwner ?? "", "failed", { error });
  }
  const { count } = await prisma.job.updateMany({
    where: { ...where, attempts: { lt: prisma.job.fields.maxAttempts } },
    data: { status: "queued", leaseOwner: null, leaseExpiresAt: null },
  });
  return count + exhausted.length;
}

/** A job ended failed or cancelled: the jobs waiting on it are cancelled, its model will not become ready. */
async function abandonChain(id: number, status: "failed" | "cancelled", tx: Prisma.TransactionClient): Promise<void> {
  await cancelDependents([id], `job #${id} ${status}`, tx);
  const job = await tx.job.findUnique({ where: { id }, select: { modelId: true } });
  if (job?.modelId) await abandonModel(job.modelId, status, tx);
}

/** Cancels the queued jobs that wait on `ids`, transitively. */
async function cancelDependents(ids: number[], reason: string, tx: Prisma.TransactionClient): Promise<void> {
  let frontier = ids;
  while (frontier.length) {
    const next = await tx.job.findMany({ where: { dependsOnId: { in: frontier }, status: "queued" }, select: { id: true } });
    if (!next.length) return;
    frontier = next.map((j) => j.id);
    await tx.job.updateMany({
      where: { id: { in: frontier }, status: "queued" },
      data: { status: "cancelled", error: `cancelled: ${reason}`, finishedAt: new Date() },
    });
  }
}

/**
 * Cancels a job: a queued one at once, a running one at its next step (its worker sees cancelRequested
 * at the next heartbeat). The jobs waiting on it are cancelled too. Returns the job after the request.
 */
export async function requestCancel(id: number): Promise<JobRow> {
  const job = await prisma.job.findUnique({ where: { id } });
  if (!job) throw new NotFoundError(`job ${id} not found`);
  if ((terminalStatuses as string[]).includes(job.status)) return job;
  return writeTransaction(async (tx) => {
    const queued = await tx.job.updateMany({
      where: { id, status: "queued" },
      data: { status: "cancelled", error: "cancelled by request", finishedAt: new Date(), cancelRequested: true },
    });
    if (queued.count === 1) await abandonChain(id, "cancelled", tx);
    else {
      await tx.job.updateMany({ where: { id, status: "running" }, data: { cancelRequested: true } });
      await cancelDependents([id], `job #${id} cancelled`, tx);
    }
    return tx.job.findUniqueOrThrow({ where: { id } });
  });
}

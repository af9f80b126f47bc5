/**
 * The worker loop: claim a job, run its handler, record the outcome; renew the lease and the Worker
 * heartbeat row every few seconds meanwhile. Used by the worker process (workers/main.ts) and by the
 * CLI's `train --inline`, which runs only its own chain.
 */
import os from "node:os";
import { prisma } from "@/lib/db/client";
import type { Logger } from "@/lib/log";
import { type HandlerResult, payloadSchemas, isJobName, type StopReason } from "./job.types";
import { ProgressWriter } from "./progress";
import { claimNextJob, type ClaimFilter, failAttempt, finishJob, type JobRow, releaseJob, renewLease, requeueExpiredLeases } from "./queue";
import type { JobContext, JobRegistry } from "./registry";

export interface WorkerOptions {
  id: string;
  registry: JobRegistry;
  log: Logger;
  leaseSeconds: number;
  heartbeatSeconds: number;
  pollMs: number;
  /** Reported in the Worker row (e.g. the TF.js backend). */
  backend?: string;
  filter?: ClaimFilter;
}

interface Running {
  job: JobRow;
  stop: StopReason | null;
}

export class JobWorker {
  private stopping = false;
  private current: Running | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: WorkerOptions) {}

  get id(): string {
    return this.opts.id;
  }

  /** Runs jobs until stop() (or until `done()` says so, checked between jobs). */
  async run(done?: () => Promise<boolean>): Promise<void> {
    const { log, heartbeatSeconds } = this.opts;
    await this.beat();
    const reclaimed = await requeueExpiredLeases(this.opts.id);
    if (reclaimed) log.info({ reclaimed }, "took back jobs this worker held before a restart");
    const timer = setInterval(() => void this.beat(), heartbeatSeconds * 1000);
    try {
      while (!this.stopping && !(await done?.())) {
        const requeued = await requeueExpiredLeases();
        if (requeued) log.warn({ requeued }, "jobs with expired leases went back to the queue");
        const job = await claimNextJob(this.opts.id, this.opts.leaseSeconds, this.opts.filter);
        if (job) await this.runJob(job);
        else await this.idle();
      }
    } finally {
      clearInterval(timer);
    }
  }

  /** Graceful stop: the running job stops at its next step (it checkpoints first) and goes back to the queue. */
  stop(): void {
    this.stopping = true;
    if (this.current) this.current.stop ??= "shutdown";
    this.wake?.();
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, this.opts.pollMs);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Heartbeat: the Worker row, and the lease (and cancel flag) of the running job. */
  private async beat(): Promise<void> {
    const { id, backend, leaseSeconds, log } = this.opts;
    try {
      const now = new Date();
      await prisma.worker.upsert({
        where: { id },
        create: { id, hostname: os.hostname(), pid: process.pid, backend, startedAt: now, lastSeenAt: now },
        update: { lastSeenAt: now, pid: process.pid, backend },
      });
      const running = this.current;
      if (!running) return;
      const lease = await renewLease(running.job.id, id, leaseSeconds);
      if (!lease.held) running.stop = "lease-lost";
      else if (lease.cancelRequested) running.stop ??= "cancel";
    } catch (e) {
      log.warn({ err: e }, "heartbeat failed");
    }
  }

  private async runJob(job: JobRow): Promise<void> {
    const log = this.opts.log.child({ jobId: job.id, type: job.type, attempt: job.attempts });
    log.info({ workerId: this.opts.id }, "job started");
    const running: Running = { job, stop: job.cancelRequested ? "cancel" : null };
    this.current = running;
    if (this.stopping) running.stop = "shutdown";
    const progress = new ProgressWriter(job.id, this.opts.id, log);
    const started = Date.now();
    try {
      const handler = this.opts.registry.get(job.type);
      const parsed = isJobName(job.type) ? payloadSchemas[job.type].safeParse(job.payload) : null;
      if (!handler || !parsed?.success) {
        const error = !handler ? `no handler for job type "${job.type}"` : `invalid payload: ${parsed?.error?.message}`;
        await finishJob(job.id, this.opts.id, "failed", { error });
        return void log.error({ error }, "job failed");
      }
      const ctx: JobContext = { job, payload: parsed.data as never, workerId: this.opts.id, log, progress, shouldStop: () => running.stop !== null };
      let result: HandlerResult;
      try {
        result = await handler.handle(ctx);
      } catch (e) {
        await progress.flush();
        const message = e instanceof Error ? e.message : String(e);
        const next = await failAttempt(job.id, this.opts.id, message);
        return void log[next === "failed" ? "error" : "warn"]({ err: e, next }, "job threw");
      }
      await progress.flush();
      await this.record(running, typeof result === "string" ? { outcome: result } : result, log, Date.now() - started);
    } finally {
      this.current = null;
    }
  }

  private async record(running: Running, r: Exclude<HandlerResult, string>, log: Logger, ms: number): Promise<void> {
    const { id } = this.opts;
    const jobId = running.job.id;
    if (r.outcome === "success" || r.outcome === "skipped") {
      await finishJob(jobId, id, "succeeded", { result: { outcome: r.outcome, ...r.result } });
      return void log.info({ outcome: r.outcome, ms }, "job succeeded");
    }
    if (r.outcome === "failed") {
      await finishJob(jobId, id, "failed", { error: r.error ?? "the job reported a failure", result: r.result });
      return void log.error({ error: r.error, ms }, "job failed");
    }
    // stopped early: why decides what becomes of the job
    if (running.stop === "cancel") {
      await finishJob(jobId, id, "cancelled", { error: "cancelled by request", result: r.result });
      log.info({ ms }, "job cancelled");
    } else if (running.stop === "shutdown") {
      await releaseJob(jobId, id);
      log.info({ ms }, "job handed back to the queue (shutdown)");
    } else if (running.stop === "lease-lost") {
      log.warn("lease lost while running; another worker owns the job now");
    } else {
      await failAttempt(jobId, id, "the handler stopped without being asked to");
    }
  }
}

/** This process's worker id: LA_WORKER_ID, else hostname-pid. */
export function defaultWorkerId(configured?: string): string {
  return configured || `${os.hostname()}-${process.pid}`;
}

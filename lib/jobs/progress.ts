import type { Logger } from "@/lib/log";
import type { JobProgress } from "./job.types";
import { writeProgress } from "./queue";

const MIN_INTERVAL_MS = 1000;

/**
 * Collects a running job's progress and writes it to its row at most once a second (plus one point of
 * the loss curve per write), one write at a time, so a fast training loop never waits on the database.
 */
export class ProgressWriter {
  private latest: JobProgress = {};
  private dirty = false;
  private freshLoss = false;
  private lastWrite = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobId: number,
    private readonly owner: string,
    private readonly log: Logger,
  ) {}

  report(p: JobProgress): void {
    for (const [k, v] of Object.entries(p)) {
      if (typeof v === "number" && !Number.isFinite(v)) continue;
      if (v !== undefined) (this.latest as Record<string, unknown>)[k] = typeof v === "number" && k !== "loss" ? round(v) : v;
    }
    this.dirty = true;
    if (p.loss !== undefined && Number.isFinite(p.loss)) this.freshLoss = true;
    if (Date.now() - this.lastWrite >= MIN_INTERVAL_MS) this.write();
  }

  flush(): Promise<void> {
    if (this.dirty) this.write();
    return this.chain;
  }

  private write(): void {
    this.dirty = false;
    this.lastWrite = Date.now();
    const p = { ...this.latest };
    const point = this.freshLoss && p.loss !== undefined ? { loss: p.loss, imgPerSec: p.imgPerSec } : undefined;
    this.freshLoss = false;
    this.chain = this.chain
      .then(() => writeProgress(this.jobId, this.owner, p, point))
      .then(() => undefined)
      .catch((e: unknown) => this.log.warn({ err: e }, "progress write failed"));
  }
}

const round = (x: number) => (Number.isInteger(x) ? x : Math.round(x * 100) / 100);

import type { Logger } from "@/lib/log";
import { type HandlerResult, type JobName, type JobProgress, jobNames, type PayloadOf, type StopReason } from "./job.types";
import type { JobRow } from "./queue";

/** What a handler gets: its job, the validated payload, a progress sink and the stop check. */
export interface JobContext<N extends JobName = JobName> {
  job: JobRow;
  payload: PayloadOf<N>;
  workerId: string;
  log: Logger;
  /** Latest progress; written to the job row about once a second (and by flush). */
  progress: { report(p: JobProgress): void; flush(): Promise<void> };
  /** True once the job should stop at its next step (cancel, graceful shutdown, lost lease). */
  shouldStop(): boolean;
}

export interface JobHandler<N extends JobName = JobName> {
  name: N;
  handle(ctx: JobContext<N>): Promise<HandlerResult>;
}

export function defineHandler<N extends JobName>(name: N, handle: (ctx: JobContext<N>) => Promise<HandlerResult>): JobHandler<N> {
  return { name, handle };
}

export type JobRegistry = ReadonlyMap<string, JobHandler>;

/**
 * One handler per job name, checked when the worker starts: a duplicate, a missing or an unknown name
 * stops the process with a message saying which.
 */
export function createRegistry(handlers: JobHandler<JobName>[]): JobRegistry {
  const map = new Map<string, JobHandler>();
  const problems: string[] = [];
  for (const h of handlers) {
    if (!(jobNames as string[]).includes(h.name)) problems.push(`handler for unknown job "${h.name}" (add it to payloadSchemas in lib/jobs/job.types.ts)`);
    if (map.has(h.name)) problems.push(`two handlers for job "${h.name}"`);
    map.set(h.name, h as unknown as JobHandler);
  }
  for (const name of jobNames) if (!map.has(name)) problems.push(`no handler for job "${name}" (add one with defineHandler("${name}", ...) to workers/handlers.ts)`);
  if (problems.length) throw new Error(`job registry: ${problems.join("; ")}`);
  return map;
}

export type { StopReason };

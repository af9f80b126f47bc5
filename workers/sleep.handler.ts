import { setTimeout as sleep } from "node:timers/promises";
import { defineHandler } from "@/lib/jobs/registry";

/**
 * `sleep`: a diagnostic job that exercises the queue without training anything (queue tests, checking
 * that a worker is alive): `steps` steps of `stepMs`, stopping early when asked, then the requested
 * outcome, or a thrown error (which the queue retries until maxAttempts).
 */
export const sleepHandler = defineHandler("sleep", async ({ payload, progress, shouldStop, workerId }) => {
  for (let step = 0; step < payload.steps; step++) {
    if (shouldStop()) return { outcome: "stopped", result: { step } };
    await sleep(payload.stepMs);
    progress.report({ phase: "sleep", step: step + 1, steps: payload.steps });
  }
  if (payload.throwMessage) throw new Error(payload.throwMessage);
  return { outcome: payload.outcome, result: { ranBy: workerId }, error: payload.outcome === "failed" ? "sleep asked to fail" : undefined };
});

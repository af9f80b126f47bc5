/**
 * The background worker process (`npm run worker`; `npm start` runs one beside the web app).
 * Validates the environment, picks the TF.js backend, checks the job registry, then runs jobs until
 * SIGTERM/SIGINT: the running job stops at its next step, checkpoints and goes back to the queue.
 */
import { env } from "@/lib/config/env";
import { prisma } from "@/lib/db/client";
import { defaultWorkerId, JobWorker } from "@/lib/jobs/worker";
import { logger } from "@/lib/log";
import { initBackend } from "@/lib/tf/backend";
import { createJobRegistry } from "./handlers";

async function main(): Promise<void> {
  const e = env();
  const registry = createJobRegistry();
  const id = defaultWorkerId(e.LA_WORKER_ID);
  const log = logger.child({ ctx: "worker", workerId: id });
  const backend = await initBackend(e.LA_BACKEND);
  log.info({ backend: backend.name, customKernels: backend.customKernels, fallbackReason: backend.fallbackReason }, "TF.js backend");
  const worker = new JobWorker({ id, registry, log, leaseSeconds: e.LA_LEASE_S, heartbeatSeconds: e.LA_HEARTBEAT_S, pollMs: e.LA_POLL_MS, backend: backend.name });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      log.info({ signal }, "stopping after the current step");
      worker.stop();
    });
  }
  log.info({ jobs: [...registry.keys()], leaseSeconds: e.LA_LEASE_S }, "worker started");
  await worker.run();
  await prisma.$disconnect();
  log.info("worker stopped");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    logger.fatal({ err }, "worker failed to start");
    process.exit(1);
  },
);

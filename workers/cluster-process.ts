/**
 * The body of the cluster step's child process (runInProcess in thread.ts, not a thread: it loads
 * faiss-node): computeClusterings with its own TF.js backend and Prisma client. At 60k images one
 * fine-scale k-means call holds its thread for minutes, longer than a job lease; here it does not hold
 * the worker's main thread.
 */
import { computeClusterings, type ClusteringSummary } from "@/lib/clusters/cluster.service";
import { prisma } from "@/lib/db/client";
import { initBackend, type BackendChoice } from "@/lib/tf/backend";
import { serveBody } from "./thread";

export interface ClusterProcessInput {
  modelId: number;
  backend: BackendChoice;
}

export type ClusterProcessMessage = { kind: "backend"; name: string } | { kind: "progress"; fraction: number; phase: string };

serveBody<ClusterProcessInput, ClusteringSummary, ClusterProcessMessage>(async ({ modelId, backend }, { send, shouldStop }) => {
  send({ kind: "backend", name: (await initBackend(backend)).name });
  try {
    return await computeClusterings(modelId, { onProgress: (fraction, phase) => send({ kind: "progress", fraction, phase }), shouldStop });
  } finally {
    // the process is killed once its result arrives: close the database first
    await prisma.$disconnect();
  }
});

import type { ClusteringSummary } from "@/lib/clusters/cluster.service";
import { env } from "@/lib/config/env";
import { ValidationError } from "@/lib/errors";
import { defineHandler } from "@/lib/jobs/registry";
import { updateModel } from "@/lib/models/model.service";
import type { ClusterProcessInput, ClusterProcessMessage } from "./cluster-process";
import { runInProcess } from "./thread";

/**
 * `cluster`: lib/clusters' computeClusterings for the job's model (multi-scale clusterings, map,
 * density, duplicates) in a child process (thread.ts). A stopped run writes nothing and is requeued
 * or cancelled like a stopped training.
 */
export const clusterHandler = defineHandler("cluster", async ({ job, log, progress, shouldStop }) => {
  if (!job.modelId) return { outcome: "failed", error: "cluster job without a model" };
  const input: ClusterProcessInput = { modelId: job.modelId, backend: env().LA_BACKEND };
  let summary: ClusteringSummary;
  try {
    summary = await runInProcess<ClusterProcessInput, ClusteringSummary, ClusterProcessMessage>("cluster-process.ts", input, {
      onMessage: (m) => {
        if (m.kind === "backend") log.info({ backend: m.name }, "cluster process backend");
        else progress.report({ phase: m.phase, step: Math.round(m.fraction * 100), steps: 100 });
      },
      shouldStop,
    });
  } catch (e) {
    // the only ValidationError of computeClusterings: fewer than 3 indexed images
    if ((e as Error).name === ValidationError.name) return { outcome: "skipped", result: { reason: (e as Error).message } };
    throw e;
  }
  if (summary.stopped) return "stopped";
  const scales = summary.scales.map((s) => ({ scale: s.scale, m: s.m }));
  await updateModel(job.modelId, { metrics: { clusters: scales } });
  log.info({ images: summary.n, scales, seconds: Math.round(summary.seconds * 10) / 10 }, "clusterings stored");
  return { outcome: "success", result: { images: summary.n, scales } };
});

/**
 * The body of a training thread (runInThread in thread.ts): runs lib/la's train() off the worker's main
 * thread. lib/la's step loop is synchronous within an epoch; here it may block this thread for as long
 * as it likes while the main thread keeps renewing the lease, writing progress and taking signals.
 */
import { selectBackend, type BackendChoice, type BackendInfo } from "@/lib/tf/backend";
import { train, type EpochReport, type TrainOptions, type TrainProgress, type TrainResult } from "@/lib/la/trainer";
import { serveBody } from "./thread";

export interface TrainThreadInput {
  backend: BackendChoice;
  options: Omit<TrainOptions, "onProgress" | "onEpoch" | "shouldStop">;
}

export type TrainThreadMessage = { kind: "backend"; backend: BackendInfo } | { kind: "progress"; p: TrainProgress } | { kind: "epoch"; e: EpochReport };

serveBody<TrainThreadInput, TrainResult, TrainThreadMessage>(
  async (input, { send, shouldStop }) => {
    send({ kind: "backend", backend: await selectBackend(input.backend) });
    return train({
      ...input.options,
      onProgress: (p) => send({ kind: "progress", p }),
      onEpoch: (e) => send({ kind: "epoch", e }),
      shouldStop,
    });
  },
  (result) => [result.labels.buffer as ArrayBuffer, result.bank.buffer as ArrayBuffer],
);

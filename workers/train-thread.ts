/**
 * The body of a training thread (see training-thread.ts): runs lib/la's train() off the worker's main
 * thread. lib/la's step loop is synchronous within an epoch; here it may block this thread for as long
 * as it likes while the main thread keeps renewing the lease, writing progress and taking signals.
 */
import { parentPort, workerData } from "node:worker_threads";
import { selectBackend, type BackendChoice } from "@/lib/tf/backend";
import { train, type TrainOptions } from "@/lib/la/trainer";

export interface TrainThreadInput {
  backend: BackendChoice;
  options: Omit<TrainOptions, "onProgress" | "onEpoch" | "shouldStop">;
  /** Int32Array over a SharedArrayBuffer: [0] = 1 asks training to stop at its next step. */
  stopFlag: Int32Array;
}

async function main(): Promise<void> {
  const input = workerData as TrainThreadInput;
  const backend = await selectBackend(input.backend);
  parentPort!.postMessage({ kind: "backend", backend });
  const result = await train({
    ...input.options,
    onProgress: (p) => parentPort!.postMessage({ kind: "progress", p }),
    onEpoch: (e) => parentPort!.postMessage({ kind: "epoch", e }),
    shouldStop: () => Atomics.load(input.stopFlag, 0) === 1,
  });
  parentPort!.postMessage({ kind: "result", result }, [result.labels.buffer as ArrayBuffer, result.bank.buffer as ArrayBuffer]);
}

main().catch((e: unknown) => parentPort!.postMessage({ kind: "error", message: e instanceof Error ? e.message : String(e), stack: (e as Error)?.stack }));

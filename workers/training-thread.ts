import path from "node:path";
import { Worker } from "node:worker_threads";
import type { EpochReport, TrainOptions, TrainProgress, TrainResult } from "@/lib/la/trainer";
import type { BackendChoice } from "@/lib/tf/backend";
import type { TrainThreadInput } from "./train-thread";

export interface ThreadTrainOptions extends Omit<TrainOptions, "onProgress" | "onEpoch" | "shouldStop"> {
  backend: BackendChoice;
  onProgress: (p: TrainProgress) => void;
  onEpoch: (e: EpochReport) => void;
  onBackend?: (b: { name: string }) => void;
  shouldStop: () => boolean;
}

/**
 * Worker threads do not inherit tsx's loader hooks (Node 20), so the thread registers tsx's require
 * hook itself (TypeScript and the @/ paths) before loading the thread body.
 */
function threadBootstrap(file: string): string {
  return `require("tsx/cjs/api").register(); require(${JSON.stringify(file)});`;
}

/**
 * Runs train() in a worker thread and waits for it. shouldStop is polled here (every 200 ms) and
 * handed to the thread through shared memory, so a stop request reaches the next training step even
 * though the thread never yields within an epoch.
 */
export function trainInThread(opts: ThreadTrainOptions): Promise<TrainResult> {
  const { backend, onProgress, onEpoch, onBackend, shouldStop, ...options } = opts;
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const input: TrainThreadInput = { backend, options, stopFlag };
  const thread = new Worker(threadBootstrap(path.join(__dirname, "train-thread.ts")), { eval: true, workerData: input });
  const poll = setInterval(() => {
    if (shouldStop()) Atomics.store(stopFlag, 0, 1);
  }, 200);
  return new Promise<TrainResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      fn();
    };
    thread.on("message", (m: { kind: string; p?: TrainProgress; e?: EpochReport; result?: TrainResult; message?: string; stack?: string; backend?: { name: string } }) => {
      if (m.kind === "progress") onProgress(m.p!);
      else if (m.kind === "epoch") onEpoch(m.e!);
      else if (m.kind === "backend") onBackend?.(m.backend!);
      else if (m.kind === "result") settle(() => resolve(m.result!));
      else if (m.kind === "error") settle(() => reject(Object.assign(new Error(m.message), { stack: m.stack })));
    });
    thread.on("error", (e) => settle(() => reject(e)));
    thread.on("exit", (code) => settle(() => reject(new Error(`training thread exited with code ${code} before finishing`))));
  }).finally(() => void thread.terminate());
}

/**
 * Long synchronous work (a training epoch, a fine-scale k-means call) runs off the worker's main thread
 * so that it keeps renewing the job's lease, writing progress and taking signals. A body file calls
 * serveBody; the main thread starts it with runInThread (a worker thread) or runInProcess (a child
 * process) and gets its messages, its result or its error.
 *
 * A body that loads faiss-node needs runInProcess: the addon keeps its classes' constructors in C++
 * statics, so loading it in a thread points them at that thread, and the main thread's next
 * Index.fromBuffer after the thread ends is a segfault.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { parentPort, Worker, workerData } from "node:worker_threads";

type FromBody<M, R> = { kind: "message"; m: M } | { kind: "result"; result: R } | { kind: "error"; name: string; message: string; stack?: string };
type ToProcess<I> = { kind: "start"; input: I } | { kind: "stop" };

export interface RunOptions<M> {
  onMessage?: (m: M) => void;
  /** Polled every 200 ms; once true, the body's ctx.shouldStop() turns true. */
  shouldStop?: () => boolean;
}

export interface BodyContext<M> {
  send(m: M): void;
  shouldStop(): boolean;
}

/**
 * Neither worker threads nor `node -e` inherit tsx's loader hooks (Node 20), so the body registers
 * tsx's require hook itself (TypeScript and the @/ paths) before loading the body file.
 */
function bootstrap(file: string): string {
  return `require("tsx/cjs/api").register(); require(${JSON.stringify(path.join(__dirname, file))});`;
}

/** Settles once on the body's result, error or early exit; polls shouldStop until then. */
function supervise<M, R>(file: string, opts: RunOptions<M>, requestStop: () => void, on: (handlers: { message(msg: FromBody<M, R>): void; fail(e: Error): void; exit(code: number | null): void }) => void): Promise<R> {
  let stopRequested = false;
  const poll = setInterval(() => {
    if (!stopRequested && opts.shouldStop?.()) {
      stopRequested = true;
      requestStop();
    }
  }, 200);
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      fn();
    };
    on({
      message: (msg) => {
        if (msg.kind === "message") opts.onMessage?.(msg.m);
        else if (msg.kind === "result") settle(() => resolve(msg.result));
        else settle(() => reject(Object.assign(new Error(msg.message), { name: msg.name, stack: msg.stack })));
      },
      fail: (e) => settle(() => reject(e)),
      exit: (code) => settle(() => reject(new Error(`${file} exited with code ${code} before finishing`))),
    });
  });
}

/**
 * Runs the body `file` (next to this one) in a worker thread. The stop request goes through shared
 * memory, so the body sees it even while it never yields.
 */
export function runInThread<I, R, M = never>(file: string, input: I, opts: RunOptions<M> = {}): Promise<R> {
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const thread = new Worker(bootstrap(file), { eval: true, workerData: { input, stopFlag } });
  return supervise<M, R>(file, opts, () => Atomics.store(stopFlag, 0, 1), (h) => {
    thread.on("message", h.message);
    thread.on("error", h.fail);
    thread.on("exit", h.exit);
  }).finally(() => void thread.terminate());
}

/**
 * Runs the body `file` (next to this one) in a child process. The stop request is a message, seen
 * when the body next yields to its event loop.
 */
export function runInProcess<I, R, M = never>(file: string, input: I, opts: RunOptions<M> = {}): Promise<R> {
  const child = spawn(process.execPath, ["-e", bootstrap(file)], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
  const send = (msg: ToProcess<I>) => child.connected && child.send(msg);
  send({ kind: "start", input });
  return supervise<M, R>(file, opts, () => send({ kind: "stop" }), (h) => {
    child.on("message", h.message);
    child.on("error", h.fail);
    child.on("exit", h.exit);
  }).finally(() => {
    // SIGKILL: the body ignores SIGTERM (see serveBody)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
}

/** The body side: runs `body` on its input and posts the result (a thread transfers `transfer(result)`). */
export function serveBody<I, R, M = never>(body: (input: I, ctx: BodyContext<M>) => Promise<R>, transfer?: (r: R) => ArrayBuffer[]): void {
  const run = (input: I, post: (msg: FromBody<M, R>, list?: ArrayBuffer[]) => void, shouldStop: () => boolean) =>
    body(input, { send: (m) => post({ kind: "message", m }), shouldStop }).then(
      (result) => post({ kind: "result", result }, transfer?.(result)),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        post({ kind: "error", name: err.name, message: err.message, stack: err.stack });
      },
    );
  if (parentPort) {
    const { input, stopFlag } = workerData as { input: I; stopFlag: Int32Array };
    const port = parentPort;
    void run(input, (msg, list) => port.postMessage(msg, list), () => Atomics.load(stopFlag, 0) === 1);
    return;
  }
  let stop = false;
  // The worker decides when the body ends (a stop message): a terminal's Ctrl-C goes to the worker too.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => undefined);
  // The worker is gone (even kill -9): nobody renews the lease any more, so the job runs again elsewhere.
  process.on("disconnect", () => process.exit(1));
  process.on("message", (msg: ToProcess<I>) => {
    if (msg.kind === "stop") stop = true;
    // Stays alive once its result is sent: the worker ends it then (an exit of its own could reach
    // the worker before the result does).
    else void run(msg.input, (m) => process.send!(m), () => stop);
  });
}

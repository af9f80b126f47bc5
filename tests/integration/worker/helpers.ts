import { spawn, type ChildProcess } from "node:child_process";
import { prisma } from "@/lib/db/client";

export interface WorkerProcess {
  id: string;
  process: ChildProcess;
  output: () => string;
  /** pino lines of this worker's log, parsed. */
  lines: () => Record<string, unknown>[];
  exited: Promise<number | null>;
  /** The worker's own pid (tsx's CLI runs it as a child process, which SIGKILL of the CLI would orphan). */
  pid: () => Promise<number>;
  /** Sends `signal` to the worker itself and waits until it and tsx's CLI have exited. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Starts a real worker process (the same command npm start runs) on this test file's data dir. */
export function spawnWorker(id: string, extraEnv: Record<string, string> = {}): WorkerProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    LA_WORKER_ID: id,
    LA_LEASE_S: "3",
    LA_HEARTBEAT_S: "0.5",
    LA_POLL_MS: "100",
    LA_BACKEND: "wasm",
    LOG_LEVEL: "info",
    ...extraEnv,
  };
  const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "workers/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines = () =>
    log
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const pid = () => waitFor(async () => (lines()[0]?.pid as number | undefined) ?? (child.exitCode !== null ? -1 : null), `worker ${id} to log`, 30_000);
  return {
    id,
    process: child,
    output: () => log,
    lines,
    exited,
    pid,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      const workerPid = lines()[0]?.pid as number | undefined;
      if (workerPid) process.kill(workerPid, signal);
      else child.kill("SIGKILL");
      return exited;
    },
  };
}

/** Polls `check` until it returns a truthy value. */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const jobRow = (id: number) => prisma.job.findUniqueOrThrow({ where: { id } });

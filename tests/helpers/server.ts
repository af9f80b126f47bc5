import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface RunningServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function distDir(): string {
  return process.env.NEXT_DIST_DIR || ".next";
}

/**
 * Starts the real production server (`next start`, built by `npm run build`) on a free loopback port,
 * with the test file's data directory, and waits until it answers.
 */
export async function startServer(extraEnv: Record<string, string | undefined> = {}): Promise<RunningServer> {
  if (!fs.existsSync(path.join(distDir(), "BUILD_ID"))) {
    throw new Error(`no production build in ${distDir()}: run \`npm run build\` first (npm test does)`);
  }
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", PORT: String(port), ...extraEnv };
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${log}`);
    try {
      await fetch(`${url}/api/health`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    process: child,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Starts tests/helpers/db-writer.ts on the test's database, once it has written; stop() gives its count of writes. */
export async function startDbWriter(): Promise<{ stop: () => Promise<number> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/db-writer.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.startsWith("writing\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the db writer exited with ${code}`)));
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve(Number(out.split("\n")[1])));
        child.kill("SIGTERM");
      }),
  };
}

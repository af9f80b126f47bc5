import fs from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/config/env";
import { prisma } from "@/lib/db/client";
import { isWritable } from "@/lib/storage";
import { initBackend } from "@/lib/tf/backend";
import { faissProblem } from "@/lib/vector/faiss";

export interface Check {
  ok: boolean;
  detail?: string;
}

export interface Health {
  status: "ok" | "degraded";
  database: Check;
  migrations: Check & { applied: number; expected: number };
  faiss: Check;
  tfjs: Check & { backend?: string; customKernels?: string[]; nativeKernels?: boolean };
  dataDir: Check & { path: string };
  worker: Check & { heartbeatAgeSeconds: number | null };
}

async function checkDatabase(): Promise<Check> {
  try {
    await prisma.$queryRaw`SELECT 1`;
    return { ok: true };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

async function checkMigrations(): Promise<Health["migrations"]> {
  const dir = path.join(process.cwd(), "prisma", "migrations");
  const expected = (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).length;
  try {
    const rows = await prisma.$queryRaw<{ n: number | bigint }[]>`
      SELECT COUNT(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = Number(rows[0]?.n ?? 0);
    const ok = applied >= expected && expected > 0;
    return { ok, applied, expected, detail: ok ? undefined : "run `npm run db:migrate`" };
  } catch (e) {
    return { ok: false, applied: 0, expected, detail: (e as Error).message };
  }
}

async function checkTf(): Promise<Health["tfjs"]> {
  try {
    const info = await initBackend(env().LA_BACKEND);
    return { ok: true, backend: info.name, customKernels: info.customKernels, nativeKernels: info.nativeKernels, detail: info.fallbackReason };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

async function checkWorker(): Promise<Health["worker"]> {
  const latest = await prisma.worker.findFirst({ orderBy: { lastSeenAt: "desc" } }).catch(() => null);
  if (!latest) return { ok: false, heartbeatAgeSeconds: null, detail: "no worker has started" };
  const age = (Date.now() - latest.lastSeenAt.getTime()) / 1000;
  const ok = age <= env().LA_WORKER_STALE_S;
  return { ok, heartbeatAgeSeconds: Math.round(age * 10) / 10, detail: ok ? undefined : "worker heartbeat is stale" };
}

/** What /api/health and the home page report. */
export async function getHealth(): Promise<Health> {
  const root = env().dataDir;
  const [database, migrations, tfjs, writable, worker] = await Promise.all([
    checkDatabase(),
    checkMigrations(),
    checkTf(),
    isWritable(root),
    checkWorker(),
  ]);
  const faissDetail = faissProblem();
  const health = {
    database,
    migrations,
    faiss: { ok: faissDetail === null, detail: faissDetail ?? undefined },
    tfjs,
    dataDir: { ok: writable, path: root, detail: writable ? undefined : "not writable" },
    worker,
  };
  const ok = Object.values(health).every((c) => c.ok);
  return { status: ok ? "ok" : "degraded", ...health };
}

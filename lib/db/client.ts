import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import Database from "better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { databaseUrl } from "@/lib/config/database-url";
import { oneAtATime } from "./one-at-a-time";

export type { PrismaClient };

/** How long a statement waits for another process's write lock before SQLite answers SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export function createPrisma(url = databaseUrl()): PrismaClient {
  const probe = new Database(url.replace(/^file:/, ""), { timeout: BUSY_TIMEOUT_MS });
  // The web app, the worker and the CLI share the file: in WAL mode readers never wait for the writer
  // nor the writer for readers, so only writes take turns. The mode is stored in the file.
  probe.pragma("journal_mode = WAL");
  probe.pragma("busy_timeout = 0");
  return new PrismaClient({ adapter: oneAtATime(new PrismaBetterSQLite3({ url, timeout: BUSY_TIMEOUT_MS }), () => writeLockFree(probe)) });
}

/** True when no other connection holds the write lock now (taken and given back at once, never waiting). */
function writeLockFree(probe: Database.Database): boolean {
  try {
    probe.exec("BEGIN IMMEDIATE");
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith("SQLITE_BUSY")) return false;
    throw e;
  }
  probe.exec("ROLLBACK");
  return true;
}

// One client, so one connection, per process: Next loads this module once per bundle (pages, route
// handlers, instrumentation) and again on every hot reload. Two connections in one process could
// deadlock, since better-sqlite3 waits for a lock synchronously and the holder could never go on.
const g = globalThis as unknown as { prisma?: PrismaClient };
export const prisma: PrismaClient = (g.prisma ??= createPrisma());

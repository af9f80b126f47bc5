/**
 * Interactive transactions that survive SQLite's single writer. Prisma's better-sqlite3 adapter starts
 * them with a deferred BEGIN. A transaction that reads before its first write cannot wait for another
 * process's write lock at that write: SQLite answers SQLITE_BUSY at once, or SQLITE_BUSY_SNAPSHOT when
 * another process has committed since the read, without waiting the busy timeout. The transaction is
 * rolled back, so it is run again after a short pause.
 */
import type { Prisma } from "@/generated/prisma/client";
import { prisma } from "./client";

const ATTEMPTS = 8;
const FIRST_PAUSE_MS = 10;

export interface WriteTransactionOptions {
  /** Interactive transaction limits (Prisma's defaults are 2 s and 5 s). */
  maxWait?: number;
  timeout?: number;
  /** False when the attempt left effects outside the database that a second run would repeat. */
  canRetry?: () => boolean;
}

/** True when SQLite refused a lock (directly or through Prisma's adapter error). */
export function isBusy(e: unknown): boolean {
  for (let err = e as Record<string, unknown> | undefined, depth = 0; err && depth < 5; depth++) {
    const meta = err.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined;
    const code = meta?.driverAdapterError?.cause?.originalCode ?? err.code;
    if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) return true;
    err = err.cause as Record<string, unknown> | undefined;
  }
  return false;
}

/** prisma.$transaction(fn), run again (up to 8 times, with growing pauses) when SQLite was busy. */
export async function writeTransaction<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>, opts: WriteTransactionOptions = {}): Promise<T> {
  const { canRetry = () => true, ...limits } = opts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(fn, limits);
    } catch (e) {
      if (attempt === ATTEMPTS || !isBusy(e) || !canRetry()) throw e;
      const pause = FIRST_PAUSE_MS * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
    }
  }
}

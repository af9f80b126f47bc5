/**
 * Start-up recovery of the data directory (run by the web app, the worker and the CLI):
 *  1. finish deletes that a crash interrupted (collections marked "deleting");
 *  2. remove collection folders that have no collection row;
 *  3. remove originals, thumbnails and cache entries that no image row owns (a crash between writing
 *     the files and committing the row);
 *  4. remove temp files older than an hour (younger ones may belong to an upload still running in
 *     another process).
 * Step 3 checks candidates inside a write transaction: ingest renames files into place inside its own
 * write transaction, so while we hold the lock no upload can be half-way, and a file still without a
 * row then is an orphan for sure.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import { writeTransaction } from "@/lib/db/transaction";
import { logger } from "@/lib/log";
import { keys, resolveKey } from "@/lib/storage";
import { finishDelete } from "./collections.service";

export interface RecoveryReport {
  deletesFinished: number;
  orphanFiles: number;
  staleTempFiles: number;
}

const STALE_TEMP_MS = 60 * 60 * 1000;

export async function recoverStore(opts: { staleTempMs?: number } = {}): Promise<RecoveryReport> {
  const report: RecoveryReport = { deletesFinished: 0, orphanFiles: 0, staleTempFiles: 0 };
  const deleting = await prisma.collection.findMany({ where: { status: "deleting" }, select: { id: true } });
  for (const c of deleting) {
    await finishDelete(c.id);
    report.deletesFinished++;
  }
  const collectionsDir = resolveKey("collections");
  const staleBefore = Date.now() - (opts.staleTempMs ?? STALE_TEMP_MS);
  for (const name of await list(collectionsDir)) {
    const id = Number(name);
    if (!/^\d+$/.test(name)) continue;
    const exists = await prisma.collection.findUnique({ where: { id }, select: { id: true } });
    if (!exists) {
      await fs.rm(path.join(collectionsDir, name), { recursive: true, force: true });
      report.orphanFiles++;
      continue;
    }
    report.orphanFiles += await removeOrphans(id);
    report.staleTempFiles += await removeStaleTemps(resolveKey(keys.collection(id)), staleBefore);
  }
  report.staleTempFiles += await removeStaleTemps(resolveKey(keys.tmp()), staleBefore, true);
  if (report.deletesFinished + report.orphanFiles + report.staleTempFiles > 0) logger.info(report, "store recovered");
  return report;
}

type Candidate = { file: string; hash?: string; imageId?: number };

/** Files of one collection that no row owns, removed under the database write lock. */
async function removeOrphans(collectionId: number): Promise<number> {
  const root = resolveKey(keys.collection(collectionId));
  const candidates: Candidate[] = [];
  for (const prefix of await list(path.join(root, "originals"))) {
    for (const f of await list(path.join(root, "originals", prefix))) {
      if (/^[0-9a-f]{64}$/.test(f)) candidates.push({ file: path.join(root, "originals", prefix, f), hash: f });
    }
  }
  for (const f of await list(path.join(root, "thumbs"))) {
    const m = /^(\d+)\.webp$/.exec(f);
    if (m) candidates.push({ file: path.join(root, "thumbs", f), imageId: Number(m[1]) });
  }
  for (const format of await list(path.join(root, "pixels"))) {
    for (const f of await list(path.join(root, "pixels", format))) {
      const m = /^(\d+)\.u8$/.exec(f);
      if (m) candidates.push({ file: path.join(root, "pixels", format, f), imageId: Number(m[1]) });
    }
  }
  if (candidates.length === 0) return 0;
  return writeTransaction(
    async (tx) => {
      // A write first, so that this transaction holds SQLite's write lock from here on.
      await tx.collection.updateMany({ where: { id: collectionId, status: "none" }, data: { status: "none" } });
      const rows = await tx.image.findMany({ where: { collectionId }, select: { id: true, contentHash: true } });
      const ids = new Set(rows.map((r) => r.id));
      const hashes = new Set(rows.map((r) => r.contentHash));
      const orphans = candidates.filter((c) => (c.hash ? !hashes.has(c.hash) : !ids.has(c.imageId!)));
      for (const c of orphans) await fs.rm(c.file, { force: true });
      return orphans.length;
    },
    { timeout: 120_000, maxWait: 60_000 },
  );
}

/** *.tmp siblings (writeFileAtomic) under a folder, or every file of tmp/, older than `before`. */
async function removeStaleTemps(dir: string, before: number, all = false): Promise<number> {
  let removed = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: !all });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw e;
  }
  for (const e of entries) {
    if (!e.isFile() || (!all && !e.name.endsWith(".tmp"))) continue;
    const file = path.join(e.parentPath ?? dir, e.name);
    const stat = await fs.stat(file).catch(() => null);
    if (stat && stat.mtimeMs < before) {
      await fs.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

async function list(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

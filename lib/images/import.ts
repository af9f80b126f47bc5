/**
 * Importing a folder or a zip from the local disk (the CLI's `import`), through IngestSession like
 * the upload API. Folders are walked in sorted order; hidden files and folders are skipped.
 */
import fs from "node:fs/promises";
import path from "node:path";
import yauzl from "yauzl";
import { ValidationError } from "@/lib/errors";
import { IngestSession, type FileOutcome, type IngestSummary } from "./ingest.service";
import { formatBytes } from "./limits";
import { isZip } from "./sniff";

export interface ImportOptions {
  labelsFromFolders?: boolean;
  /** Called once the number of files is known (zip: its entries), then for every outcome. */
  onTotal?: (n: number) => void;
  onOutcome?: (o: FileOutcome) => void;
}

export async function importPath(collectionId: number, source: string, opts: ImportOptions = {}): Promise<IngestSummary> {
  const stat = await fs.stat(source).catch(() => null);
  if (!stat) throw new ValidationError(`${source}: no such file or folder`);
  const session = await IngestSession.open(collectionId, { labelsFromFolders: opts.labelsFromFolders, onOutcome: opts.onOutcome });
  if (stat.isDirectory()) {
    const files = await walk(source);
    opts.onTotal?.(files.length);
    for (const rel of files) {
      const full = path.join(source, rel);
      const size = (await fs.stat(full)).size;
      if (isZip(await readHead(full))) await session.addZip(full, rel);
      else if (size > session.limits.maxFileBytes) {
        session.addRejected(rel, 413, `the file is ${formatBytes(size)}, more than the limit of ${formatBytes(session.limits.maxFileBytes)} per file`);
      } else await session.add({ name: rel, bytes: await fs.readFile(full) });
    }
  } else if (isZip(await readHead(source))) {
    const zip = await yauzl.openPromise(source, { lazyEntries: true });
    opts.onTotal?.(zip.entryCount);
    zip.close();
    await session.addZip(source, path.basename(source));
  } else {
    opts.onTotal?.(1);
    await session.add({ name: path.basename(source), bytes: await fs.readFile(source) });
  }
  return session.finish();
}

/** Files under `dir`, relative, with "/" separators, sorted; dot-files and dot-folders left out. */
async function walk(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  const entries = (await fs.readdir(path.join(dir, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

async function readHead(file: string): Promise<Buffer> {
  const h = await fs.open(file, "r");
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await h.read(buf, 0, 8, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

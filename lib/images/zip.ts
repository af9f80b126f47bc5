/**
 * Reading a zip archive entry by entry, straight from the archive file (nothing is unpacked to disk).
 * Whole-archive limits (entry count, total unpacked size) are checked on the central directory before
 * any entry is read, so a zip bomb is refused with nothing stored. Each entry is then read into memory
 * up to the per-file limit; yauzl checks that the data matches the sizes the headers declare.
 */
import yauzl from "yauzl";
import { PayloadTooLargeError, ValidationError } from "@/lib/errors";
import { formatBytes, type IngestLimits } from "./limits";

export type ZipItem = { name: string; bytes: Buffer } | { name: string; status: number; reason: string };

export async function* zipEntries(file: string, limits: IngestLimits): AsyncGenerator<ZipItem> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: false });
  } catch (e) {
    throw new ValidationError(`not a readable zip archive (${(e as Error).message})`);
  }
  try {
    if (zip.entryCount > limits.maxZipEntries) {
      throw new PayloadTooLargeError(`the zip has ${zip.entryCount} entries, more than the limit of ${limits.maxZipEntries}`);
    }
    const entries = await readCentralDirectory(zip);
    const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (total > limits.maxZipBytes) {
      throw new PayloadTooLargeError(
        `the zip would unpack to ${formatBytes(total)}, more than the limit of ${formatBytes(limits.maxZipBytes)}`,
      );
    }
    for (const entry of entries) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      if (name.endsWith("/")) continue; // a folder
      const bad = yauzl.validateFileName(name);
      if (bad) {
        yield { name, status: 422, reason: `unsafe path in the archive (absolute or escaping with ".."), not extracted` };
        continue;
      }
      if (isSymlink(entry)) {
        yield { name, status: 422, reason: "a symbolic link in the archive, not extracted" };
        continue;
      }
      if (entry.isEncrypted()) {
        yield { name, status: 422, reason: "the entry is encrypted; zip passwords are not supported" };
        continue;
      }
      if (entry.uncompressedSize > limits.maxFileBytes) {
        yield { name, status: 413, reason: `${formatBytes(entry.uncompressedSize)} unpacked, more than the limit of ${formatBytes(limits.maxFileBytes)} per file` };
        continue;
      }
      try {
        yield { name, bytes: await readEntry(zip, entry, limits.maxFileBytes) };
      } catch (e) {
        yield { name, status: 422, reason: `the entry's data is corrupt (${(e as Error).message})` };
      }
    }
  } finally {
    zip.close();
  }
}

/** A Unix symbolic link: the entry's data is the link's target path, not a file. */
function isSymlink(entry: yauzl.Entry): boolean {
  const madeByUnix = entry.versionMadeBy >> 8 === 3;
  return madeByUnix && ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
}

function readCentralDirectory(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on("entry", (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.once("end", () => resolve(entries));
    zip.once("error", (e: Error) => reject(new ValidationError(`the zip's directory is corrupt (${e.message})`)));
    zip.readEntry();
  });
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, maxBytes: number): Promise<Buffer> {
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
  );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new Error("more data than its header declares");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

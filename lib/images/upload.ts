/**
 * The upload API's body: a streamed multipart request with any number of image files and zip
 * archives. Parts are read one at a time (busboy), an image into memory up to the per-file limit, a
 * zip into a temp file (it needs random access) that is read entry by entry and then removed.
 */
import { once } from "node:events";
import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { PayloadTooLargeError, UnsupportedMediaError, ValidationError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { tempPath } from "@/lib/storage";
import { IngestSession, type IngestSummary } from "./ingest.service";
import { formatBytes, ingestLimits } from "./limits";
import { isZip } from "./sniff";

export interface UploadResult extends IngestSummary {
  /** 200 when anything was stored or linked; else the rejections' common 4xx (422 when they differ). */
  status: number;
}

export async function ingestUpload(collectionId: number, request: Request): Promise<UploadResult> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw new UnsupportedMediaError("send the files as multipart/form-data (one or more parts named \"files\")");
  }
  const limits = ingestLimits();
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limits.maxRequestBytes) {
    throw new PayloadTooLargeError(`the upload is ${formatBytes(declared)}, more than the limit of ${formatBytes(limits.maxRequestBytes)} per request`);
  }
  if (!request.body) throw new ValidationError("the upload has no body");
  const session = await IngestSession.open(collectionId, { limits }); // 404 before reading the body

  let received = 0;
  let parts = 0;
  let chain = Promise.resolve();
  const overRequest = () => received > limits.maxRequestBytes;
  const tooBig = `the upload is more than the limit of ${formatBytes(limits.maxRequestBytes)} per request`;

  async function readPart(s: IngestSession, name: string, stream: Readable): Promise<void> {
    const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const counted = async function* () {
      // Past the request limit nothing more is kept; the rest of the part is drained unread.
      for (let r = await it.next(); !r.done && !overRequest(); r = await it.next()) {
        received += r.value.length;
        yield r.value;
      }
    };
    const chunks = counted();
    const first = await chunks.next();
    if (first.done) return s.addRejected(name, 422, "the file is empty");
    if (isZip(first.value)) {
      const file = await tempPath(undefined, ".zip");
      try {
        await pipeline(Readable.from(prepend(first.value, chunks)), fs.createWriteStream(file));
        if (overRequest()) return s.addRejected(name, 413, tooBig);
        await s.addZip(file, name);
      } finally {
        await fs.promises.rm(file, { force: true });
      }
      return;
    }
    const kept: Buffer[] = [];
    let size = 0;
    for await (const chunk of prepend(first.value, chunks)) {
      size += chunk.length;
      if (size <= limits.maxFileBytes && !overRequest()) kept.push(chunk);
    }
    if (overRequest()) s.addRejected(name, 413, tooBig);
    else if (size > limits.maxFileBytes) s.addRejected(name, 413, `the file is more than the limit of ${formatBytes(limits.maxFileBytes)} per file`);
    else await s.add({ name, bytes: Buffer.concat(kept, size) });
  }

  const parser = busboy({ headers: { "content-type": contentType }, preservePath: true, limits: { fieldSize: 1024, fields: 20 } });
  // A "labelsFromFolders" field (sent before the files) labels each file with its parent folder.
  parser.on("field", (name, value) => {
    if (name === "labelsFromFolders") session.labelsFromFolders = value === "true";
  });
  parser.on("file", (_field, stream, info) => {
    parts++;
    const name = info.filename || `file-${parts}`;
    if (parts > limits.maxZipEntries) {
      session.addRejected(name, 413, `the upload has more than ${limits.maxZipEntries} files, the limit of one request; send the rest in another`);
      stream.resume();
      return;
    }
    // Parts are handled one after another; an unread part holds the parser back (backpressure).
    chain = chain.then(async () => {
      try {
        await readPart(session, name, stream);
      } catch (err) {
        logger.error({ err, file: name }, "reading an uploaded part failed");
        session.addRejected(name, 500, "the server could not read this file (see the server log)");
      } finally {
        stream.resume(); // whatever is left of this part is drained so the parser can go on
      }
    });
  });
  const done = once(parser, "close");
  try {
    await pipeline(Readable.fromWeb(request.body as import("node:stream/web").ReadableStream), parser);
    await done;
  } catch (e) {
    const why = (e as Error).message;
    // busboy refuses a part header with bytes no header may hold, e.g. a NUL in a file name.
    const hint = /malformed part header/i.test(why) ? ": a part's headers hold a character no header may contain, such as NUL in a file name" : "";
    throw new ValidationError(`the upload could not be read as multipart/form-data (${why}${hint})`);
  } finally {
    await chain;
  }
  const summary = await session.finish();
  if (parts === 0) throw new ValidationError("the upload contains no files");
  return { ...summary, status: uploadStatus(summary) };
}

function uploadStatus(s: IngestSummary): number {
  if (s.stored + s.duplicates > 0) return 200;
  const statuses = new Set(s.files.map((f) => (f.outcome === "rejected" ? f.status : 200)));
  return statuses.size === 1 ? [...statuses][0] : 422;
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  yield* rest;
}

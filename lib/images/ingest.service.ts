/**
 * Ingest: one file's bytes into a collection, with an outcome for every file (stored, duplicate, or
 * rejected with a reason a person understands). The upload API, the CLI import and the demo all use
 * IngestSession, so they accept and refuse exactly the same things.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import { AppError, NotFoundError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { deriveImage } from "./derive";
import { emitImagesStored } from "./events";
import { formatBytes, ingestLimits, type IngestLimits } from "./limits";
import { pixelFormat, type PixelFormat } from "./pixels";
import { sniff } from "./sniff";
import { storeImage } from "./store";
import { zipEntries } from "./zip";

export type FileOutcome =
  | { file: string; outcome: "stored"; imageId: number }
  | { file: string; outcome: "duplicate"; imageId: number }
  | { file: string; outcome: "rejected"; status: number; reason: string };

export interface IngestSummary {
  stored: number;
  duplicates: number;
  rejected: number;
  files: FileOutcome[];
}

interface Target {
  collectionId: number;
  format: PixelFormat;
}

/** The collection to ingest into; 404 unless it exists and is not being deleted. */
export async function ingestTarget(collectionId: number): Promise<Target> {
  const c = await prisma.collection.findUnique({ where: { id: collectionId }, select: { status: true, settings: true } });
  if (!c || c.status !== "ready") throw new NotFoundError(`collection ${collectionId} not found`);
  return { collectionId, format: pixelFormat(c.settings) };
}

export interface IngestInput {
  /** Shown in the outcome and stored as originalName (for zip entries: "archive.zip/path/in/zip.jpg"). */
  name: string;
  bytes: Buffer;
  label?: string | null;
  /** True for entries read from an archive: an archive inside is refused, not unpacked. */
  inArchive?: boolean;
}

const reject = (file: string, status: number, reason: string): FileOutcome => ({ file, outcome: "rejected", status, reason });

/**
 * Ingests one file's bytes; never throws for a bad file (the outcome says why). Does not notify
 * onImagesStored listeners: IngestSession (or ingestFile) does, once the rows are committed.
 */
export async function ingestBytes(
  target: Target,
  input: IngestInput,
  limits: IngestLimits = ingestLimits(),
  decodeGate: Gate = (fn) => fn(),
): Promise<FileOutcome> {
  const { name, bytes } = input;
  const badName = fileNameProblem(name);
  if (badName) return reject(name, 422, badName);
  if (bytes.length === 0) return reject(name, 422, "the file is empty");
  if (bytes.length > limits.maxFileBytes) {
    return reject(name, 413, `the file is ${formatBytes(bytes.length)}, more than the limit of ${formatBytes(limits.maxFileBytes)} per file`);
  }
  const kind = sniff(bytes);
  if (kind.kind === "archive") {
    return input.inArchive
      ? reject(name, 422, `a nested archive (${kind.what} inside an archive) is not unpacked; upload it on its own`)
      : reject(name, 415, `a ${kind.what}; only zip archives are unpacked`);
  }
  if (kind.kind === "unsupported-image") return reject(name, 415, `${kind.what} images are not supported`);
  if (kind.kind === "other") return reject(name, 415, `not an image: the content is ${kind.what}`);

  const contentHash = createHash("sha256").update(bytes).digest("hex");
  const where = { collectionId_contentHash: { collectionId: target.collectionId, contentHash } };
  const existing = await prisma.image.findUnique({ where, select: { id: true } });
  if (existing) return { file: name, outcome: "duplicate", imageId: existing.id };
  try {
    const derived = await decodeGate(() => deriveImage(bytes, kind.mime, target.format, limits.maxPixels));
    const imageId = await storeImage({
      collectionId: target.collectionId,
      contentHash,
      originalName: name.slice(0, 1000),
      mimeType: kind.mime,
      label: input.label?.trim() || null,
      bytes,
      derived,
      format: target.format,
    });
    return { file: name, outcome: "stored", imageId };
  } catch (e) {
    if (e instanceof AppError) return reject(name, e.status, e.message);
    if ((e as { code?: string }).code === "P2002") {
      // The same bytes were stored by a concurrent upload between our check and our insert.
      const row = await prisma.image.findUnique({ where, select: { id: true } });
      if (row) return { file: name, outcome: "duplicate", imageId: row.id };
    }
    throw e;
  }
}

/** Longest file or folder name accepted, in characters (what common filesystems allow). */
export const MAX_NAME_LENGTH = 255;

/**
 * Why a file name is refused, or null: control characters (NUL and friends) and a file or folder name
 * longer than MAX_NAME_LENGTH. Names are only shown and stored (files are content-addressed), but such a
 * name is a broken client or an attack, and it could not be exported back to a filesystem.
 */
export function fileNameProblem(name: string): string | null {
  const control = /[\u0000-\u001f\u007f]/.exec(name);
  if (control) {
    const code = control[0].charCodeAt(0);
    const what = code === 0 ? "NUL" : `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    return `the file name contains a control character (${what} at position ${control.index + 1})`;
  }
  const long = name.split(/[/\\]/).find((part) => part.length > MAX_NAME_LENGTH);
  if (long) return `the file name is ${long.length} characters long, more than the limit of ${MAX_NAME_LENGTH}`;
  return null;
}

/** Runs `fn` when a slot is free (bounds how many images are decoded at once). */
export type Gate = <T>(fn: () => Promise<T>) => Promise<T>;

function gate(slots: number): Gate {
  let free = slots;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/** Ingests one file and notifies listeners; the simplest entry point for other parts. */
export async function ingestFile(collectionId: number, input: IngestInput): Promise<FileOutcome> {
  const target = await ingestTarget(collectionId);
  const outcome = await ingestBytes(target, input);
  if (outcome.outcome === "stored") await emitImagesStored(collectionId, [outcome.imageId]);
  return outcome;
}

/** The parent folder of a path ("cats/tabby/1.jpg" -> "tabby"), or null at the top level. */
export function labelFromPath(p: string): string | null {
  const dir = path.posix.dirname(p.replaceAll("\\", "/"));
  return dir === "." || dir === "/" ? null : path.posix.basename(dir);
}

export interface SessionOptions {
  limits?: IngestLimits;
  /** Each file's parent folder name becomes its label. */
  labelsFromFolders?: boolean;
  /** Images decoded at once (default 2: libvips runs one thread per image here, so two use both cores). */
  decoders?: number;
  /**
   * Files in flight at once (default 6): while two decode, the others wait on fsync and their row's
   * commit, so the decoders never idle on I/O.
   */
  concurrency?: number;
  /** Called for every file as soon as its outcome is known (progress bars, streaming answers). */
  onOutcome?: (o: FileOutcome) => void;
}

/**
 * A batch of files and zips for one collection: at most `concurrency` files are in flight and
 * `decoders` of them decode at once; add() waits for a free slot (so callers reading a stream apply backpressure), and stored ids are
 * handed to onImagesStored listeners in batches after their rows are committed.
 */
export class IngestSession {
  readonly limits: IngestLimits;
  /** Each file's parent folder name becomes its label (may be switched on after opening). */
  labelsFromFolders: boolean;
  private readonly outcomes: FileOutcome[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private pendingIds: number[] = [];
  private readonly decodeGate: Gate;

  private constructor(
    private readonly target: Target,
    private readonly opts: SessionOptions,
  ) {
    this.limits = opts.limits ?? ingestLimits();
    this.labelsFromFolders = opts.labelsFromFolders ?? false;
    this.decodeGate = gate(opts.decoders ?? 2);
  }

  static async open(collectionId: number, opts: SessionOptions = {}): Promise<IngestSession> {
    return new IngestSession(await ingestTarget(collectionId), opts);
  }

  get collectionId(): number {
    return this.target.collectionId;
  }

  /** Queues one file; resolves when it has a processing slot (not when it is done). */
  async add(input: IngestInput): Promise<void> {
    const label = input.label !== undefined ? input.label : this.labelsFromFolders ? labelFromPath(input.name) : null;
    await this.slot();
    const task = ingestBytes(this.target, { ...input, label }, this.limits, this.decodeGate)
      .then((o) => this.record(o))
      .catch((e) => {
        logger.error({ err: e, file: input.name }, "ingest failed unexpectedly");
        this.record(reject(input.name, 500, "the server could not store this file (see the server log)"));
      });
    const tracked: Promise<void> = task.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** A rejection decided before the bytes reach ingestBytes (e.g. a part over the size limit). */
  addRejected(file: string, status: number, reason: string): void {
    this.record(reject(file, status, reason));
  }

  /** Every entry of a zip file on disk; a zip-wide problem rejects the archive itself, nothing stored. */
  async addZip(file: string, displayName: string): Promise<void> {
    const badName = fileNameProblem(displayName);
    if (badName) return this.addRejected(displayName, 422, badName);
    try {
      for await (const item of zipEntries(file, this.limits)) {
        const name = `${displayName}/${item.name}`;
        if ("bytes" in item) {
          const label = this.labelsFromFolders ? labelFromPath(item.name) : undefined;
          await this.add({ name, bytes: item.bytes, inArchive: true, ...(label !== undefined ? { label } : {}) });
        } else this.addRejected(name, item.status, item.reason);
      }
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      this.addRejected(displayName, e.status, e.message);
    }
  }

  /** Waits for every file, notifies listeners of the rest, and returns the summary. */
  async finish(): Promise<IngestSummary> {
    await Promise.all(this.inFlight);
    await this.flush();
    const count = (k: FileOutcome["outcome"]) => this.outcomes.filter((o) => o.outcome === k).length;
    return { stored: count("stored"), duplicates: count("duplicate"), rejected: count("rejected"), files: this.outcomes };
  }

  private record(o: FileOutcome): void {
    this.outcomes.push(o);
    if (o.outcome === "stored") {
      this.pendingIds.push(o.imageId);
      if (this.pendingIds.length >= 256) void this.flush();
    }
    this.opts.onOutcome?.(o);
  }

  private async flush(): Promise<void> {
    const ids = this.pendingIds;
    this.pendingIds = [];
    await emitImagesStored(this.target.collectionId, ids);
  }

  private async slot(): Promise<void> {
    const limit = this.opts.concurrency ?? 6;
    while (this.inFlight.size >= limit) await Promise.race(this.inFlight);
  }
}

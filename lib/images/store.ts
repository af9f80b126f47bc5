/**
 * Writing one new image so that a crash at any moment leaves either nothing visible or everything:
 * the three files are written and fsynced under tmp/ first; then, inside one database transaction, the
 * row is inserted and the files are renamed into place; the commit makes the row visible. A crash before
 * the commit leaves only files without a row, which recoverStore() removes at the next start.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import { writeTransaction } from "@/lib/db/transaction";
import { keys, resolveKey, tempPath } from "@/lib/storage";
import type { Derived } from "./derive";
import type { PixelFormat } from "./pixels";

export interface NewImage {
  collectionId: number;
  contentHash: string;
  originalName: string;
  mimeType: string;
  label: string | null;
  bytes: Buffer;
  derived: Derived;
  format: PixelFormat;
}

/** Test seam: runs after the files are renamed and before the commit (the crash test kills the process here). */
export const storeHooks: { beforeCommit?: (imageId: number) => void | Promise<void> } = {};

async function writeTemp(data: Uint8Array): Promise<string> {
  const file = await tempPath(undefined, `-${randomBytes(3).toString("hex")}`);
  const handle = await fs.open(file, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return file;
}

async function moveInto(tmp: string, key: string): Promise<void> {
  const target = resolveKey(key);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.rename(tmp, target);
}

/** Stores a new image; returns its id. Throws Prisma's P2002 when the same bytes were stored meanwhile. */
export async function storeImage(img: NewImage): Promise<number> {
  const { collectionId, derived, format } = img;
  const temps = await Promise.all([writeTemp(img.bytes), writeTemp(derived.thumb), writeTemp(derived.pixels)]);
  const moved: string[] = [];
  try {
    return await writeTransaction(
      async (tx) => {
        const originalKey = keys.original(collectionId, img.contentHash);
        const row = await tx.image.create({
          data: {
            collectionId,
            contentHash: img.contentHash,
            originalName: img.originalName,
            mimeType: img.mimeType,
            width: derived.width,
            height: derived.height,
            byteSize: img.bytes.length,
            originalKey,
            thumbKey: "",
            label: img.label,
            takenAt: derived.takenAt,
            camera: derived.camera,
          },
          select: { id: true },
        });
        const thumbKey = keys.thumb(collectionId, row.id);
        await tx.image.update({ where: { id: row.id }, data: { thumbKey }, select: { id: true } });
        const targets = [originalKey, thumbKey, keys.pixels(collectionId, format.resolution, format.channels, row.id)];
        for (let i = 0; i < 3; i++) {
          await moveInto(temps[i], targets[i]);
          moved.push(targets[i]);
        }
        await storeHooks.beforeCommit?.(row.id);
        return row.id;
      },
      // SQLite is busy only at the first write, before any file has moved
      { timeout: 30_000, maxWait: 30_000, canRetry: () => moved.length === 0 },
    );
  } catch (e) {
    // Rolled back: remove what was moved in. The original is content-addressed, so it is kept if a
    // concurrent upload of the same bytes owns it by now; recoverStore() settles any remaining doubt.
    await Promise.all(temps.map((t) => fs.rm(t, { force: true })));
    await Promise.all(moved.slice(1).map((k) => fs.rm(resolveKey(k), { force: true })));
    if (moved.length > 0) {
      const owner = await prisma.image.findUnique({
        where: { collectionId_contentHash: { collectionId, contentHash: img.contentHash } },
        select: { id: true },
      });
      if (!owner) await fs.rm(resolveKey(moved[0]), { force: true });
    }
    throw e;
  }
}

import fs from "node:fs";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import { keys } from "@/lib/storage";

/** Files under `dir` (relative to the data directory), or none when it does not exist. */
function filesUnder(dir: string): string[] {
  const root = process.env.LA_DATA_DIR!;
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return (fs.readdirSync(full, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

/**
 * The collection's rows against its files, both ways: every stored original, thumbnail and pixel-cache
 * file must belong to a row (no orphans) and every row must have all three (nothing missing); tmp/ must be
 * empty once no request is in flight.
 */
export async function storeMismatch(collectionId: number, resolution = 32, channels = 3) {
  const rows = await prisma.image.findMany({ where: { collectionId }, select: { id: true, originalKey: true, thumbKey: true } });
  const expected = new Set(rows.flatMap((r) => [r.originalKey, r.thumbKey, keys.pixels(collectionId, resolution, channels, r.id)]));
  const actual = filesUnder(`collections/${collectionId}`);
  return {
    rows: rows.length,
    files: actual.length,
    orphanFiles: actual.filter((f) => !expected.has(f)),
    missingFiles: [...expected].filter((f) => !fs.existsSync(path.join(process.env.LA_DATA_DIR!, f))).sort(),
    tmpFiles: filesUnder("tmp"),
  };
}

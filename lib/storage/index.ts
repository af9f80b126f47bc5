import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { dataDir } from "@/lib/config/database-url";

// Paths are built only through resolveKey: its turbopackIgnore stops Next from tracing the whole project.

/** Absolute path of a key (a path relative to the data directory). Refuses keys that escape it. */
export function resolveKey(key: string, root = dataDir()): string {
  const full = path.resolve(/* turbopackIgnore: true */ root, key);
  if (full !== root && !full.startsWith(root + path.sep)) throw new Error(`storage key escapes the data directory: ${key}`);
  return full;
}

/** Keys of the data directory layout (docs/contracts.md). */
export const keys = {
  original: (collectionId: number, sha256: string) => `collections/${collectionId}/originals/${sha256.slice(0, 2)}/${sha256}`,
  thumb: (collectionId: number, imageId: number) => `collections/${collectionId}/thumbs/${imageId}.webp`,
  pixels: (collectionId: number, res: number, ch: number, imageId: number) =>
    `collections/${collectionId}/pixels/${res}x${ch}/${imageId}.u8`,
  collection: (collectionId: number) => `collections/${collectionId}`,
  model: (modelId: number) => `models/${modelId}`,
  checkpoint: (modelId: number) => `models/${modelId}/checkpoint`,
  index: (modelId: number) => `models/${modelId}/index.faiss`,
  indexIds: (modelId: number) => `models/${modelId}/index.ids.json`,
  tmp: () => "tmp",
};

/** A fresh path in the data directory's tmp/ folder (same filesystem, so rename is atomic). */
export async function tempPath(root = dataDir(), suffix = ""): Promise<string> {
  const dir = resolveKey(keys.tmp(), root);
  await fs.mkdir(dir, { recursive: true });
  return `${dir}/${Date.now()}-${randomBytes(6).toString("hex")}${suffix}`;
}

/** Writes a file so that readers see either the old content or the whole new one: temp, fsync, rename. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await fs.open(tmp, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** True when the data directory exists (or can be created) and a file can be written in it. */
export async function isWritable(root = dataDir()): Promise<boolean> {
  try {
    const probe = await tempPath(root, ".probe");
    await fs.writeFile(probe, "ok");
    await fs.rm(probe);
    return true;
  } catch {
    return false;
  }
}

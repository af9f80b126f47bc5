import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { prisma } from "@/lib/db/client";
import { Rng } from "@/lib/la/rng";
import { keys, resolveKey } from "@/lib/storage";
import { writeModelIndex } from "@/lib/vector";

const PALETTE = ["#e11d48", "#2563eb", "#16a34a", "#f59e0b", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

export interface Blobs {
  centres: Float32Array;
  /** Class of each image, in image order. */
  truth: number[];
  d: number;
}

/** `classes` labelled Gaussian blobs on the unit sphere: centre + noise * N(0, I), normalised. */
export function unitBlobs(classes: number, per: number, d: number, noise: number, seed: number): Blobs & { data: Float32Array } {
  const rng = new Rng(seed);
  const centres = new Float32Array(classes * d);
  for (let c = 0; c < classes; c++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += (centres[c * d + k] = rng.normal()) ** 2;
    for (let k = 0; k < d; k++) centres[c * d + k] /= Math.sqrt(s);
  }
  const n = classes * per;
  const data = new Float32Array(n * d);
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    truth.push(c);
    let s = 0;
    for (let k = 0; k < d; k++) s += (data[i * d + k] = centres[c * d + k] + noise * rng.normal()) ** 2;
    for (let k = 0; k < d; k++) data[i * d + k] /= Math.sqrt(s);
  }
  return { centres, truth, d, data };
}

/** Perturbs unit rows (a "retrained" embedding of the same images) and renormalises. */
export function jitter(data: Float32Array, d: number, noise: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length / d; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += (out[i * d + k] = data[i * d + k] + noise * rng.normal()) ** 2;
    for (let k = 0; k < d; k++) out[i * d + k] /= Math.sqrt(s);
  }
  return out;
}

async function write(key: string, bytes: Uint8Array): Promise<void> {
  const file = resolveKey(key);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
}

/**
 * A collection of n = truth.length images labelled "class-<c>": rows, a coloured thumbnail per image
 * (also its original), and the 8x8 RGB pixel cache (colour of the class plus noise).
 */
export async function createCollection(name: string, truth: number[], seed = 1): Promise<{ collectionId: number; imageIds: number[] }> {
  const collection = await prisma.collection.create({ data: { name, settings: { resolution: 8, channels: 3 } } });
  const rng = new Rng(seed);
  const thumbs = await Promise.all(
    PALETTE.map((background) => sharp({ create: { width: 96, height: 96, channels: 3, background } }).webp().toBuffer()),
  );
  const imageIds: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    const c = truth[i];
    const hash = createHash("sha256").update(`${name}-${i}`).digest("hex");
    const img = await prisma.image.create({
      data: {
        collectionId: collection.id, contentHash: hash, originalName: `img-${i}.webp`, mimeType: "image/webp", width: 96, height: 96,
        byteSize: thumbs[c % PALETTE.length].length, originalKey: keys.original(collection.id, hash), thumbKey: "", label: `class-${c}`,
      },
    });
    const thumbKey = keys.thumb(collection.id, img.id);
    await prisma.image.update({ where: { id: img.id }, data: { thumbKey } });
    await write(thumbKey, thumbs[c % PALETTE.length]);
    await write(keys.original(collection.id, hash), thumbs[c % PALETTE.length]);
    const rgb = sharp({ create: { width: 1, height: 1, channels: 3, background: PALETTE[c % PALETTE.length] } });
    const base = await rgb.raw().toBuffer();
    const pixels = new Uint8Array(8 * 8 * 3).map((_, p) => Math.max(0, Math.min(255, base[p % 3] + 60 * rng.normal())));
    await write(keys.pixels(collection.id, 8, 3, img.id), pixels);
    imageIds.push(img.id);
  }
  return { collectionId: collection.id, imageIds };
}

/** A ready model of the collection with the given embeddings as its index (and made active). */
export async function createModel(collectionId: number, imageIds: number[], data: Float32Array, d: number, parentId?: number): Promise<number> {
  const model = await prisma.model.create({
    data: { collectionId, parentId: parentId ?? null, status: "ready", config: { kBg: 16, embeddingDim: d }, embeddingDim: d, imageCount: imageIds.length },
  });
  await writeModelIndex(model.id, data, imageIds, d);
  await prisma.collection.update({ where: { id: collectionId }, data: { activeModelId: model.id } });
  return model.id;
}

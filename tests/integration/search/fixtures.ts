import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { prisma } from "@/lib/db/client";
import { toModelPixels } from "@/lib/images/pixels";
import { createEncoder, disposeEncoder, embed, loadEncoder, resolveConfig } from "@/lib/la";
import { saveCheckpoint } from "@/lib/la/checkpoint";
import { encoderConfigOf, snapshotEncoder } from "@/lib/la/embed";
import { keys, resolveKey } from "@/lib/storage";
import { initBackend } from "@/lib/tf/backend";
import { writeModelIndex } from "@/lib/vector";

/** Test fixtures for search: database rows and index files in the test file's data directory. */

let names = 0;

export async function createCollection(settings: object = {}): Promise<number> {
  const c = await prisma.collection.create({ data: { name: `search-${process.pid}-${++names}`, settings } });
  return c.id;
}

/** n image rows (no files: search reads only the index, and thumbnails are served by their own route). */
export async function createImages(collectionId: number, n: number, tag = ""): Promise<number[]> {
  const data = Array.from({ length: n }, (_, i) => {
    const hash = createHash("sha256").update(`${collectionId}-${tag}-${i}`).digest("hex");
    return { collectionId, contentHash: hash, originalName: `${tag}${i}.png`, mimeType: "image/png", width: 64, height: 64, byteSize: 1, originalKey: `x/${hash}`, thumbKey: `t/${hash}` };
  });
  const last = await prisma.image.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  await prisma.image.createMany({ data });
  const rows = await prisma.image.findMany({ where: { collectionId, id: { gt: last?.id ?? 0 } }, orderBy: { id: "asc" }, select: { id: true } });
  return rows.map((r) => r.id);
}

export async function createModel(collectionId: number, checkpointKey?: string): Promise<number> {
  const m = await prisma.model.create({ data: { collectionId, status: "ready", config: {}, checkpointKey } });
  return m.id;
}

/** Writes the model's index over `vectors` [ids.length x dim] and makes it the collection's active model. */
export async function activateWithIndex(collectionId: number, modelId: number, ids: number[], vectors: Float32Array, dim: number): Promise<void> {
  await writeModelIndex(modelId, vectors, ids, dim);
  await prisma.collection.update({ where: { id: collectionId }, data: { activeModelId: modelId } });
}

/** Seeded unit rows; row i + `near` rows are small perturbations of row 0 when `near` > 0. */
export function unitRows(n: number, dim: number, seed = 7): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: dim }, rand);
    const norm = Math.hypot(...row);
    row.forEach((v, j) => (out[i * dim + j] = v / norm));
  }
  return out;
}

/** A unit vector close to `base` (cosine about 1 - eps). */
export function nearCopy(base: Float32Array, eps: number, seed: number): Float32Array {
  const noise = unitRows(1, base.length, seed);
  const v = base.map((x, j) => x + Math.sqrt(2 * eps) * noise[j]);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** A clustering of the model with one cluster per group of image ids (weights 1, rank 0). */
export async function createClusters(modelId: number, scale: string, groups: number[][]): Promise<number[]> {
  const clustering = await prisma.clustering.create({ data: { modelId, scale, m: groups.length, seed: 1 } });
  const clusterIds: number[] = [];
  for (const [index, members] of groups.entries()) {
    const cluster = await prisma.cluster.create({ data: { clusteringId: clustering.id, index, size: members.length, representativeIds: members.slice(0, 3) } });
    await prisma.membership.createMany({ data: members.map((imageId) => ({ imageId, clusterId: cluster.id, weight: 0.9, rank: 0 })) });
    clusterIds.push(cluster.id);
  }
  return clusterIds;
}

export function jsonRequest(collectionId: number | string, body: unknown, query = ""): Request {
  return new Request(`http://127.0.0.1/api/collections/${collectionId}/search${query}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

export function uploadRequest(collectionId: number | string, bytes: Uint8Array, fields: Record<string, string> = {}): Request {
  const form = new FormData();
  form.set("image", new Blob([new Uint8Array(bytes)]), "query.bin");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return new Request(`http://127.0.0.1/api/collections/${collectionId}/search`, { method: "POST", body: form });
}

/** A deterministic 96x96 PNG: a background colour and three shapes, all drawn from `seed`. */
export async function syntheticImage(seed: number): Promise<Buffer> {
  let s = seed * 7919 + 17;
  // The high bits of the LCG: its low bits cycle with a short period.
  const r = (n: number) => Math.floor(((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
  const colour = () => `rgb(${r(256)},${r(256)},${r(256)})`;
  const shapes = Array.from({ length: 3 }, (_, i) =>
    i % 2
      ? `<circle cx="${r(96)}" cy="${r(96)}" r="${10 + r(25)}" fill="${colour()}"/>`
      : `<rect x="${r(70)}" y="${r(70)}" width="${15 + r(50)}" height="${15 + r(50)}" fill="${colour()}"/>`,
  ).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="${colour()}"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A random-init (untrained, seeded) encoder checkpoint for the model; returns its key. */
export async function writeRandomEncoder(modelId: number, n: number, seed = 3): Promise<string> {
  await initBackend();
  const config = { ...resolveConfig({ resolution: 32, channels: 3 }, n), seed };
  const encoder = createEncoder(encoderConfigOf(config), seed);
  const key = keys.checkpoint(modelId);
  await saveCheckpoint(resolveKey(key), {
    config, n, epoch: 0, step: 0, rngState: 0, epochLosses: [], tensors: snapshotEncoder(encoder),
    labels: new Int32Array(0), permutation: new Int32Array(0),
  });
  disposeEncoder(encoder);
  await prisma.model.update({ where: { id: modelId }, data: { checkpointKey: key } });
  return key;
}

/** Embeds image files as the index job does: the shared preprocessing, then the model's encoder. */
export async function embedFiles(checkpointKey: string, files: Buffer[]): Promise<Float32Array> {
  await initBackend();
  const encoder = await loadEncoder(resolveKey(checkpointKey));
  const { resolution, channels } = encoder.config;
  const pixels = new Uint8Array(files.length * resolution * resolution * channels);
  for (const [i, f] of files.entries()) pixels.set(await toModelPixels(f, resolution, channels), i * resolution * resolution * channels);
  const out = await embed(encoder, pixels, files.length);
  disposeEncoder(encoder);
  return out;
}

/** Image rows whose thumbnails exist (WebP files in the data directory), for pages that show them. */
export async function storeImages(collectionId: number, files: Buffer[]): Promise<number[]> {
  const ids = await createImages(collectionId, files.length, "stored");
  for (const [i, id] of ids.entries()) {
    const thumbKey = keys.thumb(collectionId, id);
    await fs.mkdir(path.dirname(resolveKey(thumbKey)), { recursive: true });
    await fs.writeFile(resolveKey(thumbKey), await sharp(files[i]).webp().toBuffer());
    await prisma.image.update({ where: { id }, data: { thumbKey } });
  }
  return ids;
}

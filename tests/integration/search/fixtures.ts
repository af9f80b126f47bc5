import { createHash } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { writeModelIndex } from "@/lib/vector";

/** Test fixtures for search: database rows and index files in the test file's data directory. */

let names = 0;

export async function createCollection(settings: object = {}): Promise<number> {
  const c = await prisma.collection.create({ data: { name: `search-${process.pid}-${++names}`, settings } });
  return c.id;
}

/** n image rows (no files: search reads only the index, and thumbnails are served by their own route). */
export async function createImages(collectionId: number, n: number, tag = ""): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const hash = createHash("sha256").update(`${collectionId}-${tag}-${i}`).digest("hex");
    const row = await prisma.image.create({
      data: { collectionId, contentHash: hash, originalName: `${tag}${i}.png`, mimeType: "image/png", width: 64, height: 64, byteSize: 1, originalKey: `x/${hash}`, thumbKey: `t/${hash}` },
    });
    ids.push(row.id);
  }
  return ids;
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
  form.set("image", new Blob([bytes]), "query.bin");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return new Request(`http://127.0.0.1/api/collections/${collectionId}/search`, { method: "POST", body: form });
}

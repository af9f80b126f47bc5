/**
 * A model's FAISS index on disk (docs/contracts.md, "Index files"):
 *   models/<id>/index.faiss      faiss write_index of an IndexFlatIP (exact inner product; rows are unit
 *                                vectors, so scores are cosine similarities)
 *   models/<id>/index.ids.json   { version: 1, dim, count, ids: [imageId at position 0, 1, ...] }
 * Both are written atomically (temp, fsync, rename), index.faiss first. Appends only add vectors at
 * the end, so the ids file is the authority: a reader ignores positions >= ids.length (an append was
 * interrupted between the two renames) and re-reads if the index holds fewer vectors than ids.
 */
import fs from "node:fs/promises";
import type { IndexFlatIP } from "faiss-node";
import { keys, resolveKey, writeFileAtomic } from "@/lib/storage";
import { faiss } from "./faiss";

export const INDEX_FORMAT_VERSION = 1;

export interface IdsFile {
  version: number;
  dim: number;
  count: number;
  ids: number[];
}

export interface LoadedIndex {
  index: IndexFlatIP;
  ids: number[];
  dim: number;
}

function assertShape(embeddings: Float32Array, ids: number[], dim: number): void {
  if (embeddings.length !== ids.length * dim) throw new Error(`index: ${embeddings.length} floats for ${ids.length} ids of dimension ${dim}`);
}

async function write(modelId: number, index: IndexFlatIP, ids: number[], dim: number): Promise<void> {
  await writeFileAtomic(resolveKey(keys.index(modelId)), index.toBuffer());
  const idsFile: IdsFile = { version: INDEX_FORMAT_VERSION, dim, count: ids.length, ids };
  await writeFileAtomic(resolveKey(keys.indexIds(modelId)), JSON.stringify(idsFile));
}

/** Builds the model's exact inner-product index from `embeddings` [ids.length x dim] and writes both files. */
export async function writeIndexFile(modelId: number, embeddings: Float32Array, ids: number[], dim: number): Promise<void> {
  assertShape(embeddings, ids, dim);
  const index = new (faiss().IndexFlatIP)(dim);
  if (ids.length) index.add(Array.from(embeddings));
  await write(modelId, index, ids, dim);
}

/** Reads the model's index and its position -> image id map. */
export async function readIndexFile(modelId: number): Promise<LoadedIndex> {
  const idsFile = JSON.parse(await fs.readFile(resolveKey(keys.indexIds(modelId)), "utf8")) as IdsFile;
  if (idsFile.version !== INDEX_FORMAT_VERSION) throw new Error(`index of model ${modelId}: format version ${idsFile.version}`);
  const index = faiss().IndexFlatIP.fromBuffer(await fs.readFile(resolveKey(keys.index(modelId))));
  if (index.ntotal() < idsFile.ids.length) throw new Error(`index of model ${modelId}: ${index.ntotal()} vectors for ${idsFile.ids.length} ids (append in progress?)`);
  return { index, ids: idsFile.ids, dim: idsFile.dim };
}

/** Adds vectors for new images at the end of the model's index and rewrites both files. */
export async function appendToIndexFile(modelId: number, embeddings: Float32Array, ids: number[]): Promise<number> {
  const current = await readIndexFile(modelId);
  assertShape(embeddings, ids, current.dim);
  // Drop vectors past the ids (an earlier append interrupted between its two renames).
  const { index } = current;
  const extra = index.ntotal() - current.ids.length;
  if (extra > 0) index.removeIds(Array.from({ length: extra }, (_, i) => current.ids.length + i));
  if (ids.length) index.add(Array.from(embeddings));
  const all = [...current.ids, ...ids];
  await write(modelId, index, all, current.dim);
  return all.length;
}

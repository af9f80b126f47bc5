import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import type * as Faiss from "faiss-node";
import { keys, resolveKey, writeFileAtomic } from "@/lib/storage";
import { faiss } from "./faiss";
import { setIvfNprobe } from "./ivf-params";

/**
 * A model's search index: the FAISS index, the position -> image id map (faiss-node numbers vectors by
 * insertion order) and the vectors themselves in index order (faiss-node binds no reconstruct, and search
 * by image needs the stored vector without running the encoder).
 *
 * Removal leaves a tombstone (the position goes into `removed`) instead of calling removeIds: an IVF index
 * keeps its ids on removal but numbers the next add from the smaller ntotal, which would give two vectors
 * one position. Searches ask FAISS for k + tombstones and skip them; compact() rebuilds without them.
 *
 * Files (docs/contracts.md; the ids file is lib/vector/index-file.ts's format plus `removed`):
 *   index.faiss          IndexFlatIP, or IVF-flat (inner product) at LA_IVF_THRESHOLD vectors and above
 *   index.ids.json       { version: 1, dim, count, ids: [image id by position], removed?: [positions],
 *                          sha1?: { index, vectors } }
 *   index.vectors.f32    float32 rows in index order (optional for a flat index: its file holds them)
 * Written vectors, index, ids, each atomically: the ids file is the authority. Its sha1 of the other two
 * lets a reader that caught a rewrite half-way (a rebuild renumbers positions) notice and read again
 * later; without it (lib/vector/index-file.ts, appends only) rows past the ids are ignored.
 */

export type IndexKind = "flat" | "ivf";

export interface IndexOptions {
  /** Collections with at least this many vectors get an IVF index; below, exact flat inner product. */
  ivfThreshold: number;
  /** Inverted lists an IVF query visits. */
  nprobe: number;
}

export interface Hit {
  imageId: number;
  score: number;
}

export interface SearchOptions {
  k: number;
  minScore?: number;
  /** Left out of the results (search by an image of the collection). */
  excludeImageId?: number;
}

const FLAT_FOURCC = "IxFI";
const FORMAT_VERSION = 1;

interface IdsFile {
  version: number;
  dim: number;
  count: number;
  ids: number[];
  removed?: number[];
  sha1?: { index: string; vectors: string };
}

const sha1 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("hex");

/** File keys of a model's index, relative to the data directory (docs/contracts.md). */
export const indexKeys = (modelId: number) => ({
  index: keys.index(modelId),
  ids: keys.indexIds(modelId),
  vectors: `${keys.model(modelId)}/index.vectors.f32`,
});

/** nlist for n vectors: about sqrt(n), the usual balance between quantizer and list scan cost. */
export function computeNlist(n: number): number {
  return Math.max(1, Math.round(Math.sqrt(n)));
}

function createFaissIndex(vectors: Float32Array, n: number, dim: number, opts: IndexOptions): { index: Faiss.Index; kind: IndexKind } {
  const lib = faiss();
  if (n < opts.ivfThreshold) {
    const index = new lib.IndexFlatIP(dim);
    addRows(index, vectors, n, dim);
    return { index, kind: "flat" };
  }
  const nlist = computeNlist(n);
  const index = lib.Index.fromFactory(dim, `IVF${nlist},Flat`, lib.MetricType.METRIC_INNER_PRODUCT);
  // 64 points per centroid is plenty for k-means and keeps training to a second or two; rows are taken
  // evenly spaced, since images come in upload order and the first ones may be all alike.
  const sample = Math.min(n, 64 * nlist);
  const training: number[] = new Array(sample * dim);
  for (let i = 0; i < sample; i++) {
    const row = Math.floor((i * n) / sample);
    for (let j = 0; j < dim; j++) training[i * dim + j] = vectors[row * dim + j];
  }
  index.train(training);
  addRows(index, vectors, n, dim);
  return { index: setIvfNprobe(index, opts.nprobe), kind: "ivf" };
}

/** faiss-node takes number[]; converting in slices keeps the temporary arrays small. */
function addRows(index: Faiss.Index, vectors: Float32Array, n: number, dim: number): void {
  const rowsPerSlice = 8192;
  for (let start = 0; start < n; start += rowsPerSlice) {
    const end = Math.min(n, start + rowsPerSlice);
    index.add(Array.from(vectors.subarray(start * dim, end * dim)));
  }
}

export class VectorIndex {
  private positions = new Map<number, number>();

  private constructor(
    private index: Faiss.Index,
    readonly kind: IndexKind,
    readonly dim: number,
    /** Image id by position, removed ones included. */
    private ids: number[],
    private vectors: Float32Array,
    /** Positions taken out of search. */
    private removed = new Set<number>(),
  ) {
    ids.forEach((id, pos) => removed.has(pos) || this.positions.set(id, pos));
  }

  /** Builds an index over n = imageIds.length rows of `vectors` (row-major [n x dim], unit rows). */
  static build(vectors: Float32Array, imageIds: ArrayLike<number>, dim: number, opts: IndexOptions): VectorIndex {
    const n = imageIds.length;
    if (vectors.length !== n * dim) throw new Error(`expected ${n} x ${dim} floats, got ${vectors.length}`);
    if (new Set(Array.from(imageIds)).size !== n) throw new Error("image ids must be unique");
    const { index, kind } = createFaissIndex(vectors, n, dim, opts);
    return new VectorIndex(index, kind, dim, Array.from(imageIds), vectors.slice());
  }

  /** Number of searchable images. */
  get size(): number {
    return this.positions.size;
  }

  /** Rows held by FAISS, tombstones included. */
  get rows(): number {
    return this.ids.length;
  }

  has(imageId: number): boolean {
    return this.positions.has(imageId);
  }

  /** The stored embedding of an image (a view: do not modify), or undefined when it is not indexed. */
  vectorOf(imageId: number): Float32Array | undefined {
    const pos = this.positions.get(imageId);
    return pos === undefined ? undefined : this.vectors.subarray(pos * this.dim, (pos + 1) * this.dim);
  }

  /** Nearest images for each of the nq = queries.length / dim queries, best first. */
  search(queries: Float32Array, opts: SearchOptions): Hit[][] {
    const nq = queries.length / this.dim;
    if (!Number.isInteger(nq) || nq < 1) throw new Error(`query length ${queries.length} is not a multiple of ${this.dim}`);
    if (this.size === 0) return Array.from({ length: nq }, () => []);
    const extra = this.removed.size + (opts.excludeImageId === undefined ? 0 : 1);
    const kk = Math.min(this.rows, opts.k + extra);
    const { labels, distances } = this.index.search(Array.from(queries), kk);
    const out: Hit[][] = [];
    for (let q = 0; q < nq; q++) {
      const hits: Hit[] = [];
      for (let j = q * kk; j < (q + 1) * kk && hits.length < opts.k; j++) {
        if (opts.minScore !== undefined && distances[j] < opts.minScore) break;
        const pos = labels[j];
        if (pos < 0 || this.removed.has(pos) || this.ids[pos] === opts.excludeImageId) continue;
        hits.push({ imageId: this.ids[pos], score: distances[j] });
      }
      out.push(hits);
    }
    return out;
  }

  /** Exact search restricted to some images (e.g. one cluster's members), from the stored vectors. */
  searchAmong(query: Float32Array, imageIds: Iterable<number>, opts: SearchOptions): Hit[] {
    const hits: Hit[] = [];
    for (const imageId of imageIds) {
      const pos = this.positions.get(imageId);
      if (pos === undefined || imageId === opts.excludeImageId) continue;
      let score = 0;
      for (let i = 0, o = pos * this.dim; i < this.dim; i++) score += query[i] * this.vectors[o + i];
      if (opts.minScore === undefined || score >= opts.minScore) hits.push({ imageId, score });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, opts.k);
  }

  /** Adds images (already embedded with this index's model) at the end; ids already present are refused. */
  append(imageIds: ArrayLike<number>, vectors: Float32Array): void {
    const n = imageIds.length;
    if (vectors.length !== n * this.dim) throw new Error(`expected ${n} x ${this.dim} floats, got ${vectors.length}`);
    for (const id of Array.from(imageIds)) if (this.positions.has(id)) throw new Error(`image ${id} is already indexed`);
    addRows(this.index, vectors, n, this.dim);
    const grown = new Float32Array(this.vectors.length + vectors.length);
    grown.set(this.vectors);
    grown.set(vectors, this.vectors.length);
    this.vectors = grown;
    for (const id of Array.from(imageIds)) {
      this.positions.set(id, this.ids.length);
      this.ids.push(id);
    }
  }

  /** Takes images out of search; returns how many were indexed. */
  remove(imageIds: Iterable<number>): number {
    let removed = 0;
    for (const id of imageIds) {
      const pos = this.positions.get(id);
      if (pos === undefined) continue;
      this.removed.add(pos);
      this.positions.delete(id);
      removed++;
    }
    return removed;
  }

  /** True when tombstones make up more than a tenth of the rows (searches then over-fetch a lot). */
  get needsCompaction(): boolean {
    return this.removed.size > Math.max(16, this.rows / 10);
  }

  /** A new index over the live images only (the index kind is chosen again for the new size). */
  compact(opts: IndexOptions): VectorIndex {
    const live: number[] = [];
    const vectors = new Float32Array(this.size * this.dim);
    this.ids.forEach((id, pos) => {
      if (this.removed.has(pos)) return;
      vectors.set(this.vectors.subarray(pos * this.dim, (pos + 1) * this.dim), live.length * this.dim);
      live.push(id);
    });
    return VectorIndex.build(vectors, live, this.dim, opts);
  }

  /** Writes the three files, each atomically, in the order that lets a concurrent reader ignore new rows. */
  async save(modelId: number, root?: string): Promise<void> {
    const k = indexKeys(modelId);
    const vectors = new Uint8Array(this.vectors.buffer, this.vectors.byteOffset, this.vectors.byteLength);
    const index = this.index.toBuffer();
    await writeFileAtomic(resolveKey(k.vectors, root), vectors);
    await writeFileAtomic(resolveKey(k.index, root), index);
    const ids: IdsFile = { version: FORMAT_VERSION, dim: this.dim, count: this.ids.length, ids: this.ids, sha1: { index: sha1(index), vectors: sha1(vectors) } };
    if (this.removed.size) ids.removed = [...this.removed].sort((a, b) => a - b);
    await writeFileAtomic(resolveKey(k.ids, root), JSON.stringify(ids));
  }

  /**
   * Reads a model's index. Rows past the ids file (an append caught between its renames) are kept out of
   * search. The vectors file may be missing for a flat index (lib/vector/index-file.ts writes none): a
   * serialised IndexFlat ends with its ntotal x d float32 rows.
   */
  static async load(modelId: number, opts: Pick<IndexOptions, "nprobe">, root?: string): Promise<VectorIndex> {
    const k = indexKeys(modelId);
    const idsFile = JSON.parse(await fs.readFile(resolveKey(k.ids, root), "utf8")) as IdsFile;
    if (idsFile.version !== FORMAT_VERSION) throw new Error(`index of model ${modelId}: format version ${idsFile.version}`);
    const buffer = await fs.readFile(resolveKey(k.index, root));
    if (idsFile.sha1 && sha1(buffer) !== idsFile.sha1.index) throw new Error(`index of model ${modelId} is being rewritten (index.faiss does not match the ids file)`);
    const kind: IndexKind = buffer.subarray(0, 4).toString("latin1") === FLAT_FOURCC ? "flat" : "ivf";
    const lib = faiss();
    const index = kind === "flat" ? lib.IndexFlatIP.fromBuffer(buffer) : setIvfNprobe(lib.Index.fromBuffer(buffer), opts.nprobe);
    const dim = index.getDimension();
    const rows = index.ntotal();
    if (rows < idsFile.ids.length) throw new Error(`index of model ${modelId}: ${rows} rows for ${idsFile.ids.length} ids (append in progress?)`);
    const removed = new Set(idsFile.removed ?? []);
    // Positions past the ids file get a placeholder id and stay removed, so the next add lands after them.
    const ids = [...idsFile.ids];
    for (let pos = ids.length; pos < rows; pos++) ids.push(-1 - pos), removed.add(pos);
    const vectors = await readVectors(resolveKey(k.vectors, root), kind, buffer, rows * dim, idsFile.sha1?.vectors);
    return new VectorIndex(index, kind, dim, ids, vectors, removed);
  }
}

async function readVectors(file: string, kind: IndexKind, faissBuffer: Buffer, floats: number, expectedSha1?: string): Promise<Float32Array> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT" || kind !== "flat") throw e;
    bytes = faissBuffer.subarray(faissBuffer.length - floats * 4);
  }
  if (expectedSha1 && sha1(bytes) !== expectedSha1) throw new Error(`${file} is being rewritten (it does not match the ids file)`);
  // A newer vectors file (written first by an append) may hold more rows than the index read here.
  if (bytes.length < floats * 4) throw new Error(`${file}: expected ${floats * 4} bytes, got ${bytes.length}`);
  // Copied into a buffer of its own: a Buffer may be a view into a shared pool at an unaligned offset.
  const out = new Float32Array(floats);
  new Uint8Array(out.buffer).set(bytes.subarray(0, floats * 4));
  return out;
}

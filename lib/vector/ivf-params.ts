import type * as Faiss from "faiss-node";
import { faiss } from "./faiss";

/**
 * faiss-node binds no way to set an IVF index's nprobe (it stays 1 after the factory: poor recall), but
 * faiss serialises it. libfaiss 1.7.3 write_ivf_header: fourcc (4 bytes), index header (d int32, ntotal
 * int64, two int64 dummies, is_trained uint8, metric_type int32; metric_arg only for metrics > 1), then
 * nlist and nprobe as size_t. So nprobe is patched in the serialised bytes and the index read back.
 */
const IVF_FLAT_FOURCCS = new Set(["IwFl", "IvFl"]);
const HEADER_BYTES = 4 + 4 + 8 + 8 + 8 + 1 + 4;
const NLIST_OFFSET = HEADER_BYTES;
const NPROBE_OFFSET = HEADER_BYTES + 8;

function readIvfHeader(buffer: Buffer): { nlist: number; nprobe: number } {
  const fourcc = buffer.subarray(0, 4).toString("latin1");
  if (!IVF_FLAT_FOURCCS.has(fourcc)) throw new Error(`not an IVF-flat index (fourcc ${JSON.stringify(fourcc)})`);
  const metric = buffer.readInt32LE(HEADER_BYTES - 4);
  if (metric > 1) throw new Error(`unsupported IVF metric ${metric}`);
  return { nlist: Number(buffer.readBigUInt64LE(NLIST_OFFSET)), nprobe: Number(buffer.readBigUInt64LE(NPROBE_OFFSET)) };
}

/** The nlist and nprobe an IVF index was saved with. */
export function ivfParams(index: Faiss.Index): { nlist: number; nprobe: number } {
  return readIvfHeader(index.toBuffer());
}

/** An IVF-flat index with nprobe set (clamped to nlist); returns the index read back from patched bytes. */
export function setIvfNprobe(index: Faiss.Index, nprobe: number): Faiss.Index {
  const buffer = index.toBuffer();
  const { nlist } = readIvfHeader(buffer);
  buffer.writeBigUInt64LE(BigInt(Math.max(1, Math.min(nlist, Math.floor(nprobe)))), NPROBE_OFFSET);
  return faiss().Index.fromBuffer(buffer);
}

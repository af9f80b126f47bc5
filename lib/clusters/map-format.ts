/**
 * The map file's format, pure (used by the worker to write it and by the browser to read it):
 *
 *   bytes 0-3   "LAM1"
 *   uint32      n (points)
 *   uint32      header length h, then h bytes of JSON { method, scales: [{ name, m }] }, zero-padded to 4
 *   int32[n]    image ids
 *   float32[2n] x, y in [0, 1]
 *   int32[n]    per scale, in header order: the image's cluster index at that scale
 * Little-endian.
 */
export type LayoutMethod = "umap" | "pca";

export interface MapHeader {
  method: LayoutMethod;
  scales: { name: string; m: number }[];
}

export interface MapData extends MapHeader {
  n: number;
  ids: Int32Array;
  xy: Float32Array;
  /** Cluster index per image, one array per scale in header order. */
  labels: Int32Array[];
}

export const MAP_MAGIC = "LAM1";
export function encodeMap(map: MapData): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ method: map.method, scales: map.scales }));
  const headerPadded = Math.ceil(header.length / 4) * 4;
  const n = map.n;
  const bytes = new Uint8Array(12 + headerPadded + 4 * n * (3 + map.labels.length));
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAP_MAGIC), 0);
  view.setUint32(4, n, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  let o = 12 + headerPadded;
  const put = (values: ArrayLike<number>, float: boolean) => {
    for (let i = 0; i < values.length; i++, o += 4) float ? view.setFloat32(o, values[i], true) : view.setInt32(o, values[i], true);
  };
  put(map.ids, false);
  put(map.xy, true);
  for (const l of map.labels) put(l, false);
  return bytes;
}

export function decodeMap(bytes: Uint8Array): MapData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAP_MAGIC) throw new Error("not a cluster map file");
  const n = view.getUint32(4, true);
  const h = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h))) as MapHeader;
  let o = 12 + Math.ceil(h / 4) * 4;
  const take = <T extends Int32Array | Float32Array>(len: number, float: boolean): T => {
    const out = float ? new Float32Array(len) : new Int32Array(len);
    for (let i = 0; i < len; i++, o += 4) out[i] = float ? view.getFloat32(o, true) : view.getInt32(o, true);
    return out as T;
  };
  const ids = take<Int32Array>(n, false);
  const xy = take<Float32Array>(2 * n, true);
  const labels = header.scales.map(() => take<Int32Array>(n, false));
  return { ...header, n, ids, xy, labels };
}


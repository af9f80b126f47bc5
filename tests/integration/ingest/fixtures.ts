import fs from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { prisma } from "@/lib/db/client";
import { crc32 } from "../../helpers/zip";

/** A noisy JPEG (not trivially compressible), distinct per seed. */
export async function noiseJpeg(width: number, height: number, seed = 1, quality = 80): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < raw.length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    raw[i] = (x & 0x3f) + ((i / 3) % width) / (width / 160);
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

/**
 * A decompression bomb: a valid PNG a few hundred bytes long whose header declares width x height
 * RGB pixels (the image data is a few zero rows, so a decoder that trusted the header would allocate it all).
 */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method variants, not interlaced
  const idat = deflateSync(Buffer.alloc(4 * (1 + width * 3)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", Buffer.alloc(0))]);
}

export const solid = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } });

/** Every file under the data directory except the database, and every image row: "the store". */
export async function storeSnapshot(): Promise<{ files: string[]; rows: unknown[] }> {
  const root = process.env.LA_DATA_DIR!;
  const files = (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile() && !e.name.startsWith("la.db"))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
  const rows = await prisma.image.findMany({ orderBy: { id: "asc" } });
  return { files, rows };
}

export interface UploadAnswer {
  status: number;
  body: {
    error?: string;
    stored?: number;
    duplicates?: number;
    rejected?: number;
    files?: { file: string; outcome: string; imageId?: number; status?: number; reason?: string }[];
  };
}

/** A file to upload: name, bytes and optionally the part's content type (which the server ignores). */
export type UploadFile = [name: string, bytes: Buffer, type?: string];

/** POST /api/collections/:id/images with `files` as multipart parts; `headers` e.g. for Authorization. */
export async function upload(
  baseUrl: string,
  collectionId: number,
  files: UploadFile[],
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<UploadAnswer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [name, bytes, type] of files) form.append("files", new Blob([new Uint8Array(bytes)], type ? { type } : {}), name);
  const res = await fetch(`${baseUrl}/api/collections/${collectionId}/images`, { method: "POST", body: form, headers });
  return { status: res.status, body: await res.json() };
}

export async function createCollection(baseUrl: string, name: string, settings?: object, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${baseUrl}/api/collections`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ name, settings }),
  });
  if (res.status !== 201) throw new Error(`create collection: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { prisma } from "@/lib/db/client";

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

export async function upload(baseUrl: string, collectionId: number, files: [string, Buffer][], fields: Record<string, string> = {}): Promise<UploadAnswer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [name, bytes] of files) form.append("files", new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${baseUrl}/api/collections/${collectionId}/images`, { method: "POST", body: form });
  return { status: res.status, body: await res.json() };
}

export async function createCollection(baseUrl: string, name: string, settings?: object): Promise<number> {
  const res = await fetch(`${baseUrl}/api/collections`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, settings }),
  });
  if (res.status !== 201) throw new Error(`create collection: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

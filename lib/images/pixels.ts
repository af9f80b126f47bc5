/**
 * The one preprocessing of images for the model (docs/contracts.md, "Pixels"), shared by ingest
 * (the tensor cache), training (reads the cache) and search (query images).
 *
 * An image is decoded once into a small "preview" (EXIF rotation applied, short side PREVIEW_SIDE px
 * or the original size if smaller; JPEG shrink-on-load makes this cheap). The thumbnail and the model
 * pixels are both derived from that preview: flatten alpha onto white, resize res x res fit "cover"
 * (centre crop), raw uint8 HWC with 1 (grey) or 3 (RGB) channels. Query images go through the same two
 * steps, so cached and freshly computed pixels are byte-identical.
 */
import fs from "node:fs/promises";
import sharp from "sharp";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { keys, resolveKey, writeFileAtomic } from "@/lib/storage";

export const PREVIEW_SIDE = 256;

export interface PixelFormat {
  resolution: number;
  channels: 1 | 3;
}

/** A collection's tensor-cache format: `settings.resolution ?? 32`, `settings.channels ?? 3`. */
export function pixelFormat(settings: unknown): PixelFormat {
  const s = (settings && typeof settings === "object" ? settings : {}) as { resolution?: unknown; channels?: unknown };
  const resolution = typeof s.resolution === "number" && Number.isInteger(s.resolution) && s.resolution > 0 ? s.resolution : 32;
  const channels = s.channels === 1 ? 1 : 3;
  return { resolution, channels };
}

export interface Preview {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/**
 * Decodes an image once into its preview: rotated upright, sRGB 8-bit, short side `side` px at most.
 * `maxPixels` bounds the decoded size (decompression bombs); false means unbounded.
 */
export async function decodePreview(bytes: Buffer, side = PREVIEW_SIDE, maxPixels: number | false = false): Promise<Preview> {
  const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels })
    .rotate()
    .resize(side, side, { fit: "outside", withoutEnlargement: true })
    .toColourspace("srgb")
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Model pixels from a preview: alpha flattened onto white, res x res centre crop, raw uint8 HWC. */
export async function pixelsFromPreview(p: Preview, resolution: number, channels: 1 | 3): Promise<Uint8Array> {
  let img = sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels as 1 | 2 | 3 | 4 } })
    .flatten({ background: "#ffffff" })
    .resize(resolution, resolution, { fit: "cover", position: "centre" });
  img = channels === 1 ? img.greyscale().extractChannel(0) : img.removeAlpha().toColourspace("srgb");
  const { data, info } = await img.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  if (info.channels !== channels || data.length !== resolution * resolution * channels) {
    throw new Error(`model pixels came out ${info.width}x${info.height}x${info.channels}, expected ${resolution}x${resolution}x${channels}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** The thumbnail (WebP) from a preview; transparency is kept. */
export async function thumbFromPreview(p: Preview): Promise<Buffer> {
  return sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels as 1 | 2 | 3 | 4 } })
    .resize(PREVIEW_SIDE, PREVIEW_SIDE, { fit: "outside", withoutEnlargement: true })
    .webp({ quality: 80, effort: 2 })
    .toBuffer();
}

/** The model's input for any image bytes (training cache entries and query images alike); `maxPixels` bounds the decode. */
export async function toModelPixels(bytes: Buffer, resolution: number, channels: 1 | 3, maxPixels: number | false = false): Promise<Uint8Array> {
  return pixelsFromPreview(await decodePreview(bytes, Math.max(PREVIEW_SIDE, resolution), maxPixels), resolution, channels);
}

/**
 * The cached pixels of `imageIds`, concatenated in that order (n * res * res * ch bytes).
 * A missing cache entry is rebuilt from the original and written back.
 */
export async function loadCollectionPixels(
  collectionId: number,
  imageIds: number[],
  resolution: number,
  channels: 1 | 3,
): Promise<Uint8Array> {
  const size = resolution * resolution * channels;
  const out = new Uint8Array(imageIds.length * size);
  let missing: number[] = [];
  await forEachLimited(imageIds, 8, async (id, i) => {
    try {
      const buf = await fs.readFile(resolveKey(keys.pixels(collectionId, resolution, channels, id)));
      if (buf.length === size) return void out.set(buf, i * size);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    missing.push(i);
  });
  if (missing.length === 0) return out;
  missing = missing.sort((a, b) => a - b);
  const rows = await prisma.image.findMany({
    where: { collectionId, id: { in: missing.map((i) => imageIds[i]) } },
    select: { id: true, originalKey: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r.originalKey]));
  await forEachLimited(missing, 2, async (i) => {
    const id = imageIds[i];
    const originalKey = byId.get(id);
    if (!originalKey) throw new NotFoundError(`image ${id} is not in collection ${collectionId}`);
    const pixels = await toModelPixels(await fs.readFile(resolveKey(originalKey)), resolution, channels);
    await writeFileAtomic(resolveKey(keys.pixels(collectionId, resolution, channels, id)), pixels);
    out.set(pixels, i * size);
  });
  return out;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
}

import exifr from "exifr/dist/lite.esm.mjs";
import sharp, { type Metadata } from "sharp";
import { PayloadTooLargeError, ValidationError } from "@/lib/errors";
import { decodePreview, pixelsFromPreview, thumbFromPreview, PREVIEW_SIDE, type PixelFormat } from "./pixels";
import type { ImageMime } from "./sniff";

/** Everything ingest stores about one image, computed from a single decode. */
export interface Derived {
  width: number;
  height: number;
  thumb: Buffer;
  pixels: Uint8Array;
  takenAt: Date | null;
  camera: string | null;
}

/**
 * Reads the header (size limit, orientation, EXIF), then decodes once into the preview from which the
 * thumbnail and the model pixels are made. Throws 413 for too many pixels, 422 for corrupt data.
 */
export async function deriveImage(bytes: Buffer, mime: ImageMime, format: PixelFormat, maxPixels: number): Promise<Derived> {
  const meta = await readImageHeader(bytes, mime, maxPixels);
  let preview;
  try {
    preview = await decodePreview(bytes, Math.max(PREVIEW_SIDE, format.resolution), maxPixels);
  } catch (e) {
    throw new ValidationError(`the ${label(mime)} data is corrupt or truncated (${decoderMessage(e)})`);
  }
  const [thumb, modelPixels, exif] = await Promise.all([
    thumbFromPreview(preview),
    pixelsFromPreview(preview, format.resolution, format.channels),
    meta.exif ? readExif(meta.exif) : Promise.resolve({ takenAt: null, camera: null }),
  ]);
  const upright = meta.autoOrient ?? { width: meta.width, height: meta.pageHeight ?? meta.height };
  return { width: upright.width, height: upright.height, thumb, pixels: modelPixels, ...exif };
}

/**
 * The image's header (no pixels decoded), checked against the pixel limit: 413 for a decompression
 * bomb, 422 for a header that does not read. Uploads to search use it too.
 */
export async function readImageHeader(bytes: Buffer, mime: ImageMime, maxPixels: number): Promise<Metadata> {
  let meta: Metadata;
  try {
    // sharp's own pixel limit (268 MP) would call a larger image corrupt: ours below gives the 413.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ValidationError(`the ${label(mime)} data is corrupt or truncated (${decoderMessage(e)})`);
  }
  if (!meta.width || !meta.height) throw new ValidationError(`the ${label(mime)} has no readable size`);
  const pixels = meta.width * (meta.pageHeight ?? meta.height);
  if (pixels > maxPixels) {
    throw new PayloadTooLargeError(
      `the image is ${meta.width}x${meta.pageHeight ?? meta.height} (${(pixels / 1e6).toFixed(1)} megapixels), more than the limit of ${(maxPixels / 1e6).toFixed(1)} megapixels`,
    );
  }
  return meta;
}

/** Capture time and camera from a raw EXIF block ("Exif\0\0" + TIFF); missing or broken EXIF is no error. */
async function readExif(block: Buffer): Promise<{ takenAt: Date | null; camera: string | null }> {
  try {
    // exifr's lite build reads EXIF from JPEG files, so the block (from any format) goes into a
    // minimal JPEG: SOI, one APP1 segment, EOI.
    const app1 = block.subarray(0, 6).toString("latin1") === "Exif\0\0" ? block : Buffer.concat([Buffer.from("Exif\0\0", "latin1"), block]);
    if (app1.length > 65533) return { takenAt: null, camera: null };
    const header = Buffer.from([0xff, 0xd8, 0xff, 0xe1, (app1.length + 2) >> 8, (app1.length + 2) & 0xff]);
    const jpeg = Buffer.concat([header, app1, Buffer.from([0xff, 0xd9])]);
    const tags = (await exifr.parse(jpeg, { gps: false, interop: false, ifd1: false })) ?? {};
    const when = tags.DateTimeOriginal ?? tags.CreateDate ?? tags.DateTime;
    const takenAt = when instanceof Date && !Number.isNaN(when.getTime()) ? when : null;
    const make = typeof tags.Make === "string" ? tags.Make.trim() : "";
    const model = typeof tags.Model === "string" ? tags.Model.trim() : "";
    // "Canon" + "Canon EOS R5" reads better as "Canon EOS R5".
    const camera = model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`.trim();
    return { takenAt, camera: camera || null };
  } catch {
    return { takenAt: null, camera: null };
  }
}

function label(mime: ImageMime): string {
  return mime.replace("image/", "").toUpperCase();
}

function decoderMessage(e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0].trim();
  return msg.length > 160 ? `${msg.slice(0, 157)}...` : msg;
}

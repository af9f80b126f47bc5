import fs from "node:fs";
import { Readable } from "node:stream";
import { z } from "zod";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { resolveKey } from "@/lib/storage";

/** A positive integer id from a route segment or query string. */
export const Id = z.coerce.number().int().positive();

export const ListImagesQuery = z.object({
  /** The last id of the previous page. */
  cursor: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  label: z.string().max(200).optional(),
  /** Part of the original file name (case-insensitive for ASCII). */
  q: z.string().max(200).optional(),
});

export interface ImageView {
  id: number;
  collectionId: number;
  name: string;
  label: string | null;
  mimeType: string;
  width: number;
  height: number;
  byteSize: number;
  contentHash: string;
  takenAt: Date | null;
  camera: string | null;
  createdAt: Date;
  thumbUrl: string;
  originalUrl: string;
}

const select = {
  id: true, collectionId: true, originalName: true, label: true, mimeType: true, width: true, height: true,
  byteSize: true, contentHash: true, takenAt: true, camera: true, createdAt: true,
} as const;

type Row = { id: number; collectionId: number; originalName: string; label: string | null; mimeType: string; width: number; height: number; byteSize: number; contentHash: string; takenAt: Date | null; camera: string | null; createdAt: Date };

function toView({ originalName, ...r }: Row): ImageView {
  return { ...r, name: originalName, thumbUrl: `/api/images/${r.id}/thumb`, originalUrl: `/api/images/${r.id}/original` };
}

/** One page of a collection's images in id order, with the cursor of the next page (null at the end). */
export async function listImages(collectionId: number, query: z.input<typeof ListImagesQuery>) {
  const { cursor, limit, label, q } = ListImagesQuery.parse(query);
  const collection = await prisma.collection.findFirst({ where: { id: collectionId, status: "ready" }, select: { id: true } });
  if (!collection) throw new NotFoundError(`collection ${collectionId} not found`);
  const rows = await prisma.image.findMany({
    where: {
      collectionId,
      ...(cursor ? { id: { gt: cursor } } : {}),
      ...(label ? { label } : {}),
      ...(q ? { originalName: { contains: q } } : {}),
    },
    orderBy: { id: "asc" },
    take: limit + 1,
    select,
  });
  const page = rows.slice(0, limit);
  return { images: page.map(toView), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

export async function getImage(imageId: number): Promise<ImageView> {
  const row = await prisma.image.findFirst({ where: { id: imageId, collection: { status: "ready" } }, select });
  if (!row) throw new NotFoundError(`image ${imageId} not found`);
  return toView(row);
}

/**
 * The response for an image's original or thumbnail. Both never change for an image id (originals
 * are content-addressed), so they are immutable to caches; the ETag is derived from the content hash.
 */
export async function imageFileResponse(imageId: number, kind: "original" | "thumb", ifNoneMatch: string | null): Promise<Response> {
  const row = await prisma.image.findFirst({
    where: { id: imageId, collection: { status: "ready" } },
    select: { originalKey: true, thumbKey: true, mimeType: true, contentHash: true, originalName: true },
  });
  if (!row) throw new NotFoundError(`image ${imageId} not found`);
  const etag = `"${row.contentHash}${kind === "thumb" ? "-t" : ""}"`;
  const headers: Record<string, string> = { etag, "cache-control": "public, max-age=31536000, immutable" };
  if (ifNoneMatch?.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return new Response(null, { status: 304, headers });
  const file = resolveKey(kind === "thumb" ? row.thumbKey : row.originalKey);
  const stat = await fs.promises.stat(file).catch(() => null);
  if (!stat) throw new NotFoundError(`the ${kind} of image ${imageId} is missing`);
  headers["content-type"] = kind === "thumb" ? "image/webp" : row.mimeType;
  headers["content-length"] = String(stat.size);
  headers["x-content-type-options"] = "nosniff";
  if (kind === "original") headers["content-disposition"] = `inline; filename*=UTF-8''${encodeURIComponent(row.originalName.split("/").pop()!)}`;
  return new Response(Readable.toWeb(fs.createReadStream(file)) as ReadableStream, { status: 200, headers });
}

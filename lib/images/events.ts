import { logger } from "@/lib/log";

/** Called after new images' rows are committed (e.g. to embed them into the active model's index). */
export type ImagesStoredListener = (collectionId: number, imageIds: number[]) => void | Promise<void>;

// On globalThis: Next may load this module once per bundle (instrumentation, route handlers); the
// registry must be one per process.
const g = globalThis as unknown as { __laImagesStored?: Set<ImagesStoredListener> };
const listeners = (g.__laImagesStored ??= new Set());

/** Registers a listener; returns a function that removes it. */
export function onImagesStored(listener: ImagesStoredListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Calls every listener in turn; a listener's error is logged, never thrown to the uploader. */
export async function emitImagesStored(collectionId: number, imageIds: number[]): Promise<void> {
  if (imageIds.length === 0) return;
  for (const listener of listeners) {
    try {
      await listener(collectionId, imageIds);
    } catch (err) {
      logger.error({ err, collectionId, count: imageIds.length }, "an onImagesStored listener failed");
    }
  }
}

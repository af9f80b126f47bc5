/**
 * New images in a collection with an active model are embedded and added to its index right away:
 * the web process queues an `index.append` job (the worker embeds; the web process never runs the
 * model). One queued append per collection is enough, since an append adds every image still missing.
 */
import { prisma } from "@/lib/db/client";
import { onImagesStored } from "@/lib/images/events";
import { logger } from "@/lib/log";
import { enqueueJob } from "./queue";

export async function enqueueIndexAppend(collectionId: number, imageIds: number[]): Promise<number | null> {
  const waiting = await prisma.job.findFirst({ where: { collectionId, type: "index.append", status: "queued" }, select: { id: true } });
  if (waiting) return null;
  const job = await enqueueJob({ type: "index.append", collectionId, payload: { imageIds: imageIds.slice(0, 1000) }, priority: 10 });
  return job.id;
}

let registered = false;

/** Listens to stored images (lib/images/events.ts); call once in the web process (instrumentation). */
export function registerIndexUpdater(): void {
  if (registered) return;
  registered = true;
  onImagesStored(async (collectionId, imageIds) => {
    const c = await prisma.collection.findUnique({ where: { id: collectionId }, select: { activeModelId: true } });
    if (!c?.activeModelId) return;
    const jobId = await enqueueIndexAppend(collectionId, imageIds);
    logger.debug({ collectionId, images: imageIds.length, jobId }, "queued index.append");
  });
}

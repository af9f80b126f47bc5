import { loadCollectionPixels } from "@/lib/images/pixels";
import type { JobProgress } from "@/lib/jobs/job.types";
import type { LAConfig } from "@/lib/la/config";
import { embed, loadEncoder } from "@/lib/la/embed";
import { disposeEncoder } from "@/lib/la/encoder";
import { keys, resolveKey } from "@/lib/storage";

const CHUNK = 2048;

/**
 * Embeds images of a collection with a model's final encoder (no augmentation), a chunk at a time so
 * progress flows and a stop request is seen between chunks. Null when stopped.
 */
export async function embedImages(
  modelId: number,
  config: LAConfig,
  collectionId: number,
  ids: number[],
  report: (p: JobProgress) => void,
  shouldStop: () => boolean,
): Promise<Float32Array | null> {
  const encoder = await loadEncoder(resolveKey(keys.checkpoint(modelId)));
  try {
    const d = encoder.config.embeddingDim;
    const out = new Float32Array(ids.length * d);
    const started = Date.now();
    for (let start = 0; start < ids.length; start += CHUNK) {
      if (shouldStop()) return null;
      const chunk = ids.slice(start, start + CHUNK);
      const pixels = await loadCollectionPixels(collectionId, chunk, config.resolution, config.channels);
      out.set(await embed(encoder, pixels, chunk.length), start * d);
      const done = start + chunk.length;
      const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
      report({ phase: "embedding", step: done, steps: ids.length, imgPerSec: rate, etaSeconds: (ids.length - done) / rate });
    }
    return out;
  } finally {
    disposeEncoder(encoder);
  }
}

import { env } from "@/lib/config/env";
import { ModelNotReadyError, PayloadTooLargeError, UnsupportedMediaError, ValidationError } from "@/lib/errors";
import { readImageHeader } from "@/lib/images/derive";
import { toModelPixels } from "@/lib/images/pixels";
import { sniff } from "@/lib/images/sniff";
// The inference modules only, not lib/la's index: the web process must not bundle the trainer.
import { embed, loadEncoder } from "@/lib/la/embed";
import { disposeEncoder, type Encoder } from "@/lib/la/encoder";
import { logger } from "@/lib/log";
import { keys, resolveKey } from "@/lib/storage";
import { initBackend } from "@/lib/tf/backend";
import { findModelCheckpointKey } from "./search.repository";

/**
 * Embeds query images in the web process: each model's encoder is loaded once per process and reused.
 * Only inference runs here (a few ms for one image); training stays in the worker.
 */

const g = globalThis as unknown as { laQueryEncoders?: Map<number, Promise<Encoder>> };
const encoders = (g.laQueryEncoders ??= new Map<number, Promise<Encoder>>());
const log = logger.child({ ctx: "query-encoder" });

function encoderFor(modelId: number): Promise<Encoder> {
  let pending = encoders.get(modelId);
  if (!pending) {
    pending = (async () => {
      const backend = await initBackend();
      const key = (await findModelCheckpointKey(modelId)) ?? keys.checkpoint(modelId);
      const encoder = await loadEncoder(resolveKey(key));
      log.info({ modelId, backend: backend.name }, "query encoder loaded");
      return encoder;
    })();
    pending.catch((e: Error) => {
      encoders.delete(modelId);
      log.warn({ err: e, modelId }, "query encoder failed to load");
    });
    encoders.set(modelId, pending);
    evictOld();
  }
  return pending;
}

// The newest encoders stay loaded: the serving model's and, during a swap, the one it replaces. Older
// ones are freed; a request still holding one would have to be two activations old.
const KEEP = 2;

function evictOld(): void {
  for (const [modelId, pending] of [...encoders].slice(0, -KEEP)) {
    encoders.delete(modelId);
    pending.then(disposeEncoder, () => {});
  }
}

/** The embedding of an uploaded image, preprocessed exactly as training images are (no augmentation). */
export async function embedQueryImage(modelId: number, bytes: Buffer): Promise<Float32Array> {
  const kind = sniff(bytes);
  if (kind.kind !== "image") throw new UnsupportedMediaError(`the upload is not a supported image (${kind.what})`);
  const encoder = await encoderFor(modelId).catch((e: Error) => {
    throw new ModelNotReadyError(`the encoder of model ${modelId} cannot be loaded: ${e.message}`);
  });
  const { resolution, channels } = encoder.config;
  const maxPixels = env().LA_MAX_PIXELS;
  let pixels: Uint8Array;
  try {
    await readImageHeader(bytes, kind.mime, maxPixels); // a decompression bomb is refused before any decode
    pixels = await toModelPixels(bytes, resolution, channels, maxPixels);
  } catch (e) {
    if (e instanceof PayloadTooLargeError) throw e;
    throw new ValidationError(`the upload could not be decoded as ${kind.mime}: ${(e as Error).message}`);
  }
  return embed(encoder, pixels, 1);
}

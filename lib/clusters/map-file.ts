/** The map of a model's collection on disk: models/<id>/map.bin (map-format.ts), written atomically. */
import fs from "node:fs/promises";
import { keys, resolveKey, writeFileAtomic } from "@/lib/storage";
import { encodeMap, type MapData } from "./map-format";

export { decodeMap, encodeMap, type MapData, type MapHeader } from "./map-format";

export const mapKey = (modelId: number) => `${keys.model(modelId)}/map.bin`;

export function writeMap(modelId: number, map: MapData): Promise<void> {
  return writeFileAtomic(resolveKey(mapKey(modelId)), encodeMap(map));
}

/** The map file's bytes, or null when the model has none yet. */
export async function readMapBytes(modelId: number): Promise<Buffer | null> {
  try {
    return await fs.readFile(resolveKey(mapKey(modelId)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

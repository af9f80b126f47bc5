/**
 * A model's local vs background density diagnostic (lib/la densityDiagnostic on its final embeddings),
 * stored as models/<id>/density.json by the cluster step and drawn on the model's page.
 */
import fs from "node:fs/promises";
import type { DensityReport } from "@/lib/la/density";
import { keys, resolveKey, writeFileAtomic } from "@/lib/storage";

export interface ModelDensity {
  version: 1;
  n: number;
  /** Query rows (a seeded sample; every image is a candidate neighbour). */
  sample: number;
  kLocal: number;
  kBg: number;
  report: DensityReport;
}

const densityKey = (modelId: number) => `${keys.model(modelId)}/density.json`;

export function writeDensity(modelId: number, d: ModelDensity): Promise<void> {
  return writeFileAtomic(resolveKey(densityKey(modelId)), JSON.stringify(d));
}

export async function readDensity(modelId: number): Promise<ModelDensity | null> {
  try {
    return JSON.parse(await fs.readFile(resolveKey(densityKey(modelId)), "utf8")) as ModelDensity;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

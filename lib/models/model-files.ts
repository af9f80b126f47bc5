/**
 * Files a training run leaves next to its checkpoint (docs/contracts.md, "Jobs and models"):
 *   models/<id>/train-ids.json       { imageIds }: the images of the run, in the order of the memory
 *                                    bank (fixed at the first attempt, so a resumed run sees the same set)
 *   models/<id>/train-clusters.json  { imageIds, m, labels: H arrays of n cluster labels }: the k-means
 *                                    clusterings of the memory bank from the last LA epoch
 */
import fs from "node:fs/promises";
import { keys, resolveKey, writeFileAtomic } from "@/lib/storage";

const file = (modelId: number, name: string) => resolveKey(`${keys.model(modelId)}/${name}`);

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(path, "utf8")) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export async function readTrainIds(modelId: number): Promise<number[] | null> {
  return (await readJson<{ imageIds: number[] }>(file(modelId, "train-ids.json")))?.imageIds ?? null;
}

export function writeTrainIds(modelId: number, imageIds: number[]): Promise<void> {
  return writeFileAtomic(file(modelId, "train-ids.json"), JSON.stringify({ imageIds }));
}

export interface TrainClusters {
  imageIds: number[];
  m: number;
  labels: number[][];
}

export function writeTrainClusters(modelId: number, c: TrainClusters): Promise<void> {
  return writeFileAtomic(file(modelId, "train-clusters.json"), JSON.stringify(c));
}

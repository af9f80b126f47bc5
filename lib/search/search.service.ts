import { ModelNotReadyError, NotFoundError, ValidationError } from "@/lib/errors";
import { indexRegistry, type Hit, type Served } from "@/lib/vector";
import { embedQueryImage } from "./query-encoder";
import { countClusterings, findClusterMembers, findCollectionState, findMemberships, type CollectionSearchState } from "./search.repository";
import type { SearchQuery, SearchResponse, SearchResultItem } from "./search.schema";

/**
 * Similarity search in a collection with its active model: by an image of the collection (its stored
 * vector, no encoder run, the image itself left out) or by an uploaded image (embedded, not stored).
 */

// The collection row and "has this model clusters" are read at most this often: a search then costs
// no database query at all unless it has clusters to report. A new active model is seen within it.
const STATE_TTL_MS = 500;
const stateCache = new Map<number, { at: number; state: Promise<CollectionSearchState | null> }>();
const clusteredCache = new Map<number, { at: number; has: Promise<boolean> }>();

function cached<K, V>(cache: Map<K, { at: number } & V>, key: K, make: () => V): V {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < STATE_TTL_MS) return hit;
  const entry = { at: Date.now(), ...make() };
  cache.set(key, entry);
  return entry;
}

async function servedIndex(collectionId: number): Promise<Served> {
  const state = await cached(stateCache, collectionId, () => ({ state: findCollectionState(collectionId) })).state;
  if (!state) throw new NotFoundError(`collection ${collectionId} not found`);
  if (state.activeModelId === null) throw new ModelNotReadyError(`collection ${collectionId} has no trained model yet: train it first`);
  return indexRegistry()
    .get(collectionId, state.activeModelId)
    .catch((e: Error) => {
      throw new ModelNotReadyError(`the index of model ${state.activeModelId} cannot be read yet: ${e.message}`);
    });
}

async function clustersOf(modelId: number, hits: Hit[]): Promise<Map<number, SearchResultItem["clusters"]>> {
  const byImage = new Map<number, SearchResultItem["clusters"]>();
  const has = await cached(clusteredCache, modelId, () => ({ has: countClusterings(modelId).then((n) => n > 0) })).has;
  if (!has || hits.length === 0) return byImage;
  for (const m of await findMemberships(modelId, hits.map((h) => h.imageId))) {
    const list = byImage.get(m.imageId) ?? [];
    list.push({ clusterId: m.clusterId, scale: m.scale, index: m.index, name: m.name, weight: m.weight });
    byImage.set(m.imageId, list);
  }
  return byImage;
}

async function clusterMembers(modelId: number, clusterId: number): Promise<number[]> {
  const cluster = await findClusterMembers(clusterId);
  if (!cluster || cluster.modelId !== modelId) throw new NotFoundError(`cluster ${clusterId} is not a cluster of the active model ${modelId}`);
  return cluster.imageIds;
}

export async function searchCollection(collectionId: number, q: SearchQuery): Promise<SearchResponse> {
  if ((q.imageId === undefined) === (q.upload === undefined)) throw new ValidationError("send either an image file (form field `image`) or an `imageId`");
  const { modelId, index } = await servedIndex(collectionId);
  let query: Float32Array;
  let embedMs: number | null = null;
  if (q.upload) {
    const t = performance.now();
    query = await embedQueryImage(modelId, q.upload);
    embedMs = performance.now() - t;
  } else {
    const stored = index.vectorOf(q.imageId!);
    if (!stored) throw new NotFoundError(`image ${q.imageId} is not indexed in collection ${collectionId}`);
    query = stored;
  }
  const opts = { k: q.k, minScore: q.minScore, excludeImageId: q.imageId };
  const members = q.clusterId === undefined ? undefined : await clusterMembers(modelId, q.clusterId);
  const t = performance.now();
  const hits = members ? index.searchAmong(query, members, opts) : index.search(query, opts)[0];
  const searchMs = performance.now() - t;
  const clusters = await clustersOf(modelId, hits);
  return {
    collectionId,
    modelId,
    query: q.upload ? { upload: true } : { imageId: q.imageId! },
    k: q.k,
    minScore: q.minScore ?? null,
    clusterId: q.clusterId ?? null,
    results: hits.map((h) => ({ ...h, thumbnailUrl: `/api/images/${h.imageId}/thumb`, clusters: clusters.get(h.imageId) ?? [] })),
    timings: { embedMs, searchMs },
  };
}

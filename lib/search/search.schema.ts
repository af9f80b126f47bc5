import { z } from "zod";

/** Most results one search returns. */
export const MAX_K = 200;

/** Search parameters, from a JSON body, form fields or the query string (all arrive as strings there). */
export const SearchParams = z
  .object({
    imageId: z.coerce.number().int().positive().optional(),
    k: z.coerce.number().int().min(1).max(MAX_K).default(20),
    minScore: z.coerce.number().min(-1).max(1).optional(),
    clusterId: z.coerce.number().int().positive().optional(),
  })
  .strict();

export type SearchParams = z.infer<typeof SearchParams>;

/** What to search with: an image of the collection, or uploaded bytes (never stored). */
export type SearchQuery = SearchParams & { upload?: Buffer };

export interface SearchResultItem {
  imageId: number;
  /** Cosine similarity (inner product of unit embeddings), -1..1. */
  score: number;
  thumbnailUrl: string;
  clusters: { clusterId: number; scale: string; index: number; name: string | null; weight: number }[];
}

export interface SearchResponse {
  collectionId: number;
  modelId: number;
  query: { imageId: number } | { upload: true };
  k: number;
  minScore: number | null;
  clusterId: number | null;
  results: SearchResultItem[];
  /** embedMs is null for a query by image (its stored vector is used, the encoder does not run). */
  timings: { embedMs: number | null; searchMs: number };
}

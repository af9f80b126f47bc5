import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/collections/[id]/search/route";
import type { SearchResponse } from "@/lib/search";
import { activateWithIndex, createClusters, createCollection, createImages, createModel, jsonRequest, nearCopy, unitRows, uploadRequest } from "./fixtures";

const D = 128;
const ctx = (id: number | string) => ({ params: Promise.resolve({ id: String(id) }) });
const search = (id: number | string, req: Request) => POST(req, ctx(id));

// One trained collection: 60 random images, images 1 and 2 near-duplicates of image 0 (cosine ~0.98
// and ~0.95), two clusters at one scale. One untrained collection.
let collectionId: number;
let untrainedId: number;
let modelId: number;
let ids: number[];
let clusterIds: number[];

beforeAll(async () => {
  collectionId = await createCollection();
  ids = await createImages(collectionId, 60);
  const vectors = unitRows(60, D);
  const base = vectors.slice(0, D);
  vectors.set(nearCopy(base, 0.02, 11), D);
  vectors.set(nearCopy(base, 0.05, 12), 2 * D);
  modelId = await createModel(collectionId);
  await activateWithIndex(collectionId, modelId, ids, vectors, D);
  clusterIds = await createClusters(modelId, "coarse", [ids.slice(0, 30), ids.slice(30)]);
  untrainedId = await createCollection();
  await createImages(untrainedId, 3, "u");
});

describe("POST /api/collections/:id/search", () => {
  describe("by an image of the collection", () => {
    it("should return its near-duplicates first, leave the image itself out and report timings", async () => {
      const res = await search(collectionId, jsonRequest(collectionId, { imageId: ids[0], k: 5 }));
      expect(res.status).toBe(200);
      const body = (await res.json()) as SearchResponse;
      expect(body.modelId).toBe(modelId);
      expect(body.results.map((r) => r.imageId).slice(0, 2)).toEqual([ids[1], ids[2]]);
      expect(body.results).toHaveLength(5);
      expect(body.results.map((r) => r.imageId)).not.toContain(ids[0]);
      expect(body.results[0].score).toBeCloseTo(0.98, 1);
      expect(body.results[0].thumbnailUrl).toBe(`/api/images/${ids[1]}/thumb`);
      expect(body.timings.embedMs).toBeNull();
      expect(body.timings.searchMs).toBeGreaterThanOrEqual(0);
    });

    it("should report the clusters each result belongs to", async () => {
      const body = (await (await search(collectionId, jsonRequest(collectionId, { imageId: ids[0], k: 2 }))).json()) as SearchResponse;
      expect(body.results[0].clusters).toEqual([{ clusterId: clusterIds[0], scale: "coarse", index: 0, name: null, weight: 0.9 }]);
    });

    it("should keep only results at or above the minimum score", async () => {
      const body = (await (await search(collectionId, jsonRequest(collectionId, { imageId: ids[0], k: 50, minScore: 0.9 }))).json()) as SearchResponse;
      expect(body.results.map((r) => r.imageId)).toEqual([ids[1], ids[2]]);
    });

    it("should search only inside a cluster when asked", async () => {
      const body = (await (await search(collectionId, jsonRequest(collectionId, { imageId: ids[0], k: 10, clusterId: clusterIds[1] }))).json()) as SearchResponse;
      expect(body.results).toHaveLength(10);
      expect(body.results.every((r) => ids.indexOf(r.imageId) >= 30)).toBe(true);
      expect(body.results.map((r) => r.score)).toEqual([...body.results.map((r) => r.score)].sort((a, b) => b - a));
    });

    it("should take the parameters from form fields and the query string too", async () => {
      const form = new FormData();
      form.set("imageId", String(ids[0]));
      form.set("minScore", "");
      const req = new Request(`http://127.0.0.1/api/collections/${collectionId}/search?k=3`, { method: "POST", body: form });
      const body = (await (await search(collectionId, req)).json()) as SearchResponse;
      expect(body.k).toBe(3);
      expect(body.results).toHaveLength(3);
    });
  });

  describe("bad input", () => {
    it.each([
      ["k = 0", { k: 0 }],
      ["k above the maximum", { k: 100_000 }],
      ["a minimum score above 1", { minScore: 2 }],
      ["an unknown field", { colour: "red" }],
    ])("should answer 422 for %s", async (_what, extra) => {
      const res = await search(collectionId, jsonRequest(collectionId, { imageId: ids[0], ...extra }));
      expect(res.status).toBe(422);
      expect((await res.json()).error).toBeTruthy();
    });

    it("should answer 422 when neither an image nor an imageId is sent", async () => {
      const res = await search(collectionId, jsonRequest(collectionId, { k: 3 }));
      expect(res.status).toBe(422);
      expect((await res.json()).error).toMatch(/imageId/);
    });

    it("should answer 404 for a missing collection and for an image not in the collection", async () => {
      expect((await search(999_999, jsonRequest(999_999, { imageId: ids[0] }))).status).toBe(404);
      const res = await search(collectionId, jsonRequest(collectionId, { imageId: 999_999 }));
      expect(res.status).toBe(404);
      expect((await res.json()).error).toMatch(/not indexed/);
    });

    it("should answer 404 for a cluster of another model", async () => {
      expect((await search(collectionId, jsonRequest(collectionId, { imageId: ids[0], clusterId: 999_999 }))).status).toBe(404);
    });

    it("should answer 409 when the collection has no trained model yet", async () => {
      const res = await search(untrainedId, uploadRequest(untrainedId, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2])));
      expect(res.status).toBe(409);
      expect((await res.json()).error).toMatch(/no trained model/);
    });

    it("should answer 415 for an upload that is not an image", async () => {
      const res = await search(collectionId, uploadRequest(collectionId, new TextEncoder().encode("just some text, not a photo")));
      expect(res.status).toBe(415);
      expect((await res.json()).error).toMatch(/not a supported image \(a text file\)/);
    });

    it("should answer 415 for a body that is neither multipart nor JSON", async () => {
      const req = new Request(`http://127.0.0.1/api/collections/${collectionId}/search`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
      expect((await search(collectionId, req)).status).toBe(415);
    });

    it("should answer 422 for a malformed collection id", async () => {
      expect((await search("abc", jsonRequest("abc", { imageId: 1 }))).status).toBe(422);
    });
  });
});

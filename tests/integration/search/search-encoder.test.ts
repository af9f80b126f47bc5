import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/collections/[id]/search/route";
import type { SearchResponse } from "@/lib/search";
import { indexOptions, VectorIndex } from "@/lib/vector";
import { activateWithIndex, createCollection, createImages, createModel, embedFiles, jsonRequest, syntheticImage, uploadRequest, writeRandomEncoder } from "./fixtures";

// Real encoder (random init, seeded: untrained, but deterministic), real preprocessing. The collection
// holds 24 distinct images, a re-encoded (JPEG) and a slightly cropped copy of image 0.
const N = 24;
let collectionId: number;
let modelId: number;
let ids: number[];
let originals: Buffer[];

async function cropped(png: Buffer): Promise<Buffer> {
  return sharp(png).extract({ left: 3, top: 3, width: 90, height: 90 }).resize(96, 96).png().toBuffer();
}

beforeAll(async () => {
  originals = await Promise.all(Array.from({ length: N }, (_, i) => syntheticImage(i + 1)));
  const files = [...originals, await sharp(originals[0]).jpeg({ quality: 80 }).toBuffer(), await cropped(originals[0])];
  collectionId = await createCollection();
  ids = await createImages(collectionId, files.length);
  modelId = await createModel(collectionId);
  const key = await writeRandomEncoder(modelId, files.length);
  await activateWithIndex(collectionId, modelId, ids, await embedFiles(key, files), 128);
});

const post = async (req: Request) => {
  const res = await POST(req, { params: Promise.resolve({ id: String(collectionId) }) });
  expect(res.status).toBe(200);
  return (await res.json()) as SearchResponse;
};

describe("search with the model's encoder", () => {
  it("should find an image of the collection first when it is not excluded", async () => {
    const index = await VectorIndex.load(modelId, indexOptions());
    const [hits] = index.search(index.vectorOf(ids[0])!, { k: 3 });
    expect(hits[0]).toEqual({ imageId: ids[0], score: expect.closeTo(1, 4) });
  });

  it("should return an image's re-encoded and cropped copies right after it", async () => {
    const body = await post(jsonRequest(collectionId, { imageId: ids[0], k: 5 }));
    expect(new Set(body.results.slice(0, 2).map((r) => r.imageId))).toEqual(new Set([ids[N], ids[N + 1]]));
    expect(body.results[1].score).toBeGreaterThan(body.results[2].score);
  });

  it("should return the original first for an uploaded re-encoded copy, with the embedding time", async () => {
    const copy = await sharp(originals[5]).webp({ quality: 70 }).toBuffer();
    const body = await post(uploadRequest(collectionId, copy, { k: "3" }));
    expect(body.query).toEqual({ upload: true });
    expect(body.results[0].imageId).toBe(ids[5]);
    expect(body.results[0].score).toBeGreaterThan(0.9);
    expect(body.timings.embedMs).toBeGreaterThan(0);
  });

  it("should embed an upload exactly like the stored image (same preprocessing, no augmentation)", async () => {
    const body = await post(uploadRequest(collectionId, originals[7], { k: "1" }));
    expect(body.results[0]).toMatchObject({ imageId: ids[7], score: expect.closeTo(1, 4) });
  });

  it("should answer 422 for an upload that looks like an image but does not decode", async () => {
    const broken = Buffer.concat([originals[0].subarray(0, 40), Buffer.alloc(40)]);
    const res = await POST(uploadRequest(collectionId, broken), { params: Promise.resolve({ id: String(collectionId) }) });
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatch(/could not be decoded as image\/png/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { appendToModelIndex, removeFromModelIndex } from "@/lib/vector";
import { startServer, type RunningServer } from "../../helpers/server";
import { activateWithIndex, createCollection, createImages, createModel, nearCopy, unitRows } from "./fixtures";

// Against a real `next start`: the index is loaded lazily, swapped when the active model changes
// (no request fails meanwhile), and changes written by another process (the worker) are picked up.
const D = 128;
const N = 2000;
let server: RunningServer;
let collectionId: number;
let ids: number[];

beforeAll(async () => {
  collectionId = await createCollection();
  ids = await createImages(collectionId, N);
  await activateWithIndex(collectionId, await createModel(collectionId), ids, unitRows(N, D, 1), D);
  server = await startServer();
});
afterAll(() => server?.stop());

async function searchById(imageId: number, k = 5): Promise<{ status: number; modelId?: number; ids: number[] }> {
  const res = await fetch(`${server.url}/api/collections/${collectionId}/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ imageId, k }),
  });
  const body = (await res.json()) as { modelId?: number; results?: { imageId: number }[] };
  return { status: res.status, modelId: body.modelId, ids: body.results?.map((r) => r.imageId) ?? [] };
}

describe("index hot swap in the running server", () => {
  it("should serve every request while a new model is activated, then serve the new model", async () => {
    const first = await searchById(ids[0]);
    expect(first.status).toBe(200);
    const oldModel = first.modelId!;
    const seen: { status: number; modelId?: number }[] = [];
    let stop = false;
    const clients = Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; !stop; i++) seen.push(await searchById(ids[(c * 997 + i * 31) % N]));
    });
    await new Promise((r) => setTimeout(r, 300));
    const newModel = await createModel(collectionId);
    await activateWithIndex(collectionId, newModel, ids, unitRows(N, D, 2), D);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && seen.filter((s) => s.modelId === newModel).length < 50) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(clients);
    expect(seen.filter((s) => s.status !== 200)).toEqual([]);
    expect(seen.some((s) => s.modelId === oldModel)).toBe(true);
    expect(seen.slice(-20).every((s) => s.modelId === newModel)).toBe(true);
  });

  it("should serve images appended by another process and drop removed ones", async () => {
    const c = await prisma.collection.findUniqueOrThrow({ where: { id: collectionId } });
    const [added] = await createImages(collectionId, 1, "late");
    // A near copy of image 5 of the model activated above.
    const vector = nearCopy(unitRows(N, D, 2).slice(5 * D, 6 * D), 0.01, 99);
    await appendToModelIndex(c.activeModelId!, [added], vector);
    const eventually = async (check: () => Promise<boolean>) => {
      const deadline = Date.now() + 10_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error("not seen within 10 s");
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await eventually(async () => (await searchById(added)).status === 200);
    expect((await searchById(ids[5], 1)).ids).toEqual([added]);
    await removeFromModelIndex(c.activeModelId!, [added]);
    await eventually(async () => (await searchById(added)).status === 404);
    expect((await searchById(ids[5], 3)).ids).not.toContain(added);
  });
});

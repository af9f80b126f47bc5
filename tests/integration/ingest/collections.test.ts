import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startServer, type RunningServer } from "../../helpers/server";
import { createCollection, noiseJpeg, upload } from "./fixtures";

describe("collections API on a real next start", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    await prisma.$disconnect();
  });
  const api = (p: string, init?: RequestInit) =>
    fetch(`${server.url}/api/collections${p}`, { ...init, headers: { "content-type": "application/json" } });

  it("should create, list, rename and refuse bad or duplicate names", async () => {
    const id = await createCollection(server.url, "Pets", { resolution: 28, channels: 1 });
    expect((await api("", { method: "POST", body: JSON.stringify({ name: "Pets" }) })).status).toBe(409);
    expect((await api("", { method: "POST", body: JSON.stringify({ name: "  " }) })).status).toBe(422);
    expect((await api("", { method: "POST", body: JSON.stringify({ name: "x", settings: { channels: 2 } }) })).status).toBe(422);
    const list = await (await api("")).json();
    expect(list.collections).toEqual([expect.objectContaining({ id, name: "Pets", imageCount: 0, activeModelId: null, settings: { resolution: 28, channels: 1 } })]);
    const renamed = await api(`/${id}`, { method: "PATCH", body: JSON.stringify({ name: "Animals" }) });
    expect(renamed.status).toBe(200);
    expect((await renamed.json()).name).toBe("Animals");
    expect((await api(`/999`, { method: "PATCH", body: JSON.stringify({ name: "Z" }) })).status).toBe(404);
  });

  it("should store pixels at the collection's resolution and channels", async () => {
    const c = await prisma.collection.findFirstOrThrow({ where: { name: "Animals" } });
    const res = await upload(server.url, c.id, [["a.jpg", await noiseJpeg(100, 80, 5)]]);
    const id = res.body.files![0].imageId!;
    expect(fs.statSync(path.join(process.env.LA_DATA_DIR!, `collections/${c.id}/pixels/28x1/${id}.u8`)).size).toBe(28 * 28);
  });

  it("should delete a collection with its files and rows, and free its name", async () => {
    const c = await prisma.collection.findFirstOrThrow({ where: { name: "Animals" } });
    const res = await api(`/${c.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(await prisma.image.count({ where: { collectionId: c.id } })).toBe(0);
    expect(await prisma.collection.findUnique({ where: { id: c.id } })).toBeNull();
    expect(fs.existsSync(path.join(process.env.LA_DATA_DIR!, `collections/${c.id}`))).toBe(false);
    expect((await api(`/${c.id}`)).status).toBe(404);
    await createCollection(server.url, "Animals");
  });
});

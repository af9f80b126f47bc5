import { afterAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";

describe("Prisma through the better-sqlite3 adapter", () => {
  afterAll(() => prisma.$disconnect());

  it("should create and read rows of the committed schema in the migrated SQLite file", async () => {
    const c = await prisma.collection.create({ data: { name: "holiday", settings: { resolution: 32 } } });
    await prisma.image.create({
      data: {
        collectionId: c.id, contentHash: "ab".repeat(32), originalName: "a.jpg", mimeType: "image/jpeg",
        width: 4, height: 3, byteSize: 10, originalKey: "o", thumbKey: "t", label: "beach",
      },
    });
    const found = await prisma.collection.findUnique({ where: { name: "holiday" }, include: { images: true } });
    expect(found?.settings).toEqual({ resolution: 32 });
    expect(found?.images.map((i) => [i.label, i.width, i.height])).toEqual([["beach", 4, 3]]);
  });

  it("should refuse a second image with the same bytes in one collection", async () => {
    const c = await prisma.collection.create({ data: { name: "dups", settings: {} } });
    const data = {
      collectionId: c.id, contentHash: "cd".repeat(32), originalName: "a.png", mimeType: "image/png",
      width: 1, height: 1, byteSize: 1, originalKey: "o", thumbKey: "t",
    };
    await prisma.image.create({ data });
    await expect(prisma.image.create({ data: { ...data, originalName: "b.png" } })).rejects.toThrow(/Unique constraint/);
    expect(await prisma.image.count({ where: { collectionId: c.id } })).toBe(1);
  });

  it("should delete a collection's images, models and jobs with it", async () => {
    const c = await prisma.collection.create({ data: { name: "gone", settings: {} } });
    const m = await prisma.model.create({ data: { collectionId: c.id, config: {} } });
    await prisma.job.create({ data: { type: "train", collectionId: c.id, modelId: m.id, payload: {} } });
    await prisma.collection.delete({ where: { id: c.id } });
    expect(await prisma.model.count({ where: { collectionId: c.id } })).toBe(0);
    expect(await prisma.job.count({ where: { collectionId: c.id } })).toBe(0);
  });
});

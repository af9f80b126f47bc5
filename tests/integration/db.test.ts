import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { databaseUrl } from "@/lib/config/database-url";
import { prisma } from "@/lib/db/client";
import { isBusy, writeTransaction } from "@/lib/db/transaction";

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

describe("one connection, one query or transaction at a time", () => {
  it("should make a query outside a transaction wait for it: no uncommitted rows seen, no write lost to its rollback", async () => {
    const events: string[] = [];
    const failing = prisma
      .$transaction(async (tx) => {
        await tx.collection.create({ data: { name: "uncommitted", settings: {} } });
        await new Promise((r) => setTimeout(r, 150));
        events.push("rolling back");
        throw new Error("rolled back");
      })
      .catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 30));
    const seen = await prisma.collection.count({ where: { name: "uncommitted" } });
    events.push("outside read");
    await prisma.collection.create({ data: { name: "written-outside", settings: {} } });
    expect(await failing).toBe("rolled back");
    expect(events).toEqual(["rolling back", "outside read"]);
    expect(seen).toBe(0);
    expect(await prisma.collection.count({ where: { name: { in: ["uncommitted", "written-outside"] } } })).toBe(1);
  });
});

describe("writeTransaction against another process's writes", () => {
  // another connection to the file, as the worker or the CLI has
  const other = new Database(databaseUrl().replace(/^file:/, ""));
  afterAll(() => other.close());
  const otherWrites = () => other.prepare("INSERT INTO Worker (id, hostname, pid) VALUES (?, 'other', 1)").run(`w${Math.random()}`);

  it("should keep the database in WAL mode, so readers never block the writer", async () => {
    expect(await prisma.$queryRawUnsafe("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
  });

  it("should run a transaction again when another process committed between its read and its first write", async () => {
    let attempts = 0;
    const fn = async (tx: Parameters<Parameters<typeof writeTransaction>[0]>[0]) => {
      attempts++;
      await tx.collection.count();
      if (attempts === 1) otherWrites();
      return tx.collection.create({ data: { name: `snap-${attempts}-${Math.random()}`, settings: {} } });
    };
    const err = await prisma.$transaction(fn).catch((e: unknown) => e);
    expect(isBusy(err)).toBe(true); // what a plain transaction does: SQLITE_BUSY_SNAPSHOT, at once
    attempts = 0;
    const before = await prisma.collection.count();
    const row = await writeTransaction(fn);
    expect(attempts).toBe(2);
    expect(row.name).toMatch(/^snap-2-/);
    expect(await prisma.collection.count()).toBe(before + 1);
  });

  it("should wait for another process's write lock without blocking this process's event loop", async () => {
    for (const write of [
      () => prisma.collection.create({ data: { name: `plain-${Math.random()}`, settings: {} } }),
      () => prisma.$transaction((tx) => tx.collection.create({ data: { name: `tx-${Math.random()}`, settings: {} } })),
    ]) {
      other.exec("BEGIN IMMEDIATE");
      otherWrites();
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const t0 = Date.now();
      const written = write();
      await new Promise((r) => setTimeout(r, 200)); // runs only if the write waits asynchronously
      other.exec("COMMIT");
      const row = await written;
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(10);
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(await prisma.collection.findUnique({ where: { id: row.id } })).not.toBeNull();
    }
  });

  it("should not run again when told the attempt cannot be repeated, nor for other errors", async () => {
    let attempts = 0;
    const conflicted = async (tx: Parameters<Parameters<typeof writeTransaction>[0]>[0]) => {
      attempts++;
      await tx.collection.count();
      otherWrites();
      await tx.collection.create({ data: { name: `never-${Math.random()}`, settings: {} } });
    };
    expect(isBusy(await writeTransaction(conflicted, { canRetry: () => false }).catch((e: unknown) => e))).toBe(true);
    expect(attempts).toBe(1);
    attempts = 0;
    await expect(writeTransaction(async () => { attempts++; throw new Error("not a lock"); })).rejects.toThrow("not a lock");
    expect(attempts).toBe(1);
  });
});

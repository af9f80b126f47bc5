import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { makeZip } from "../../helpers/zip";
import { noiseJpeg, solid } from "./fixtures";

function la(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "cli/la.ts", ...args], { env: { ...process.env, LOG_LEVEL: "warn" }, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout.trim().split("\n").pop()!) };
}

describe("npm run la -- import", () => {
  const src = path.join(process.env.LA_DATA_DIR!, "..", `${path.basename(process.env.LA_DATA_DIR!)}-import`);
  afterAll(async () => {
    fs.rmSync(src, { recursive: true, force: true });
    await prisma.$disconnect();
  });

  it("should import a folder with labels from folders and print a JSON summary as its last line", async () => {
    fs.mkdirSync(path.join(src, "cats"), { recursive: true });
    fs.mkdirSync(path.join(src, "dogs"), { recursive: true });
    const cat = await noiseJpeg(120, 90, 1);
    fs.writeFileSync(path.join(src, "cats", "tom.jpg"), cat);
    fs.writeFileSync(path.join(src, "cats", "tom-copy.jpg"), cat);
    fs.writeFileSync(path.join(src, "dogs", "rex.png"), await solid(60, 40, "#884400").png().toBuffer());
    fs.writeFileSync(path.join(src, "dogs", "notes.jpg"), "not an image");
    fs.writeFileSync(path.join(src, "dogs", "pack.zip"), makeZip([{ name: "pups/a.jpg", data: await noiseJpeg(50, 50, 9) }]));
    fs.writeFileSync(path.join(src, ".DS_Store"), "hidden files are skipped");

    const r = la("import", src, "--collection", "Pets", "--labels-from-folders", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      stored: 3,
      duplicates: 1,
      rejected: [{ file: "dogs/notes.jpg", reason: "not an image: the content is a text file" }],
    });
    expect(r.stderr).toMatch(/"Pets": 3 stored, 1 duplicates, 1 rejected/);
    const rows = await prisma.image.findMany({ orderBy: { originalName: "asc" }, select: { originalName: true, label: true } });
    expect(rows).toEqual([
      // tom.jpg and tom-copy.jpg are in flight together; whichever commits first is stored.
      { originalName: expect.stringMatching(/^cats\/tom(-copy)?\.jpg$/), label: "cats" },
      { originalName: "dogs/pack.zip/pups/a.jpg", label: "pups" },
      { originalName: "dogs/rex.png", label: "dogs" },
    ]);
  });

  it("should import a zip into the existing collection, linking what it already has", async () => {
    const zip = path.join(src, "again.zip");
    fs.writeFileSync(zip, makeZip([{ name: "tom.jpg", data: fs.readFileSync(path.join(src, "cats", "tom.jpg")) }, { name: "new.jpg", data: await noiseJpeg(40, 40, 77) }]));
    const r = la("import", zip, "--collection", "Pets", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ stored: 1, duplicates: 1, rejected: [] });
    expect(await prisma.collection.count()).toBe(1);
  });

  it("should explain its usage and fail on a missing source", () => {
    expect(la("import").code).toBe(2);
    const r = la("import", "/nonexistent/folder", "--collection", "Pets");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such file or folder/);
  });
});

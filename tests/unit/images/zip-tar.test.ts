import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelFromPath } from "@/lib/images/ingest.service";
import { ingestLimits } from "@/lib/images/limits";
import { readTarGz } from "@/lib/images/tar";
import { zipEntries, type ZipItem } from "@/lib/images/zip";
import { makeZip } from "../../helpers/zip";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "la-unit-zip-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function entries(zip: Buffer, limits = ingestLimits()): Promise<ZipItem[]> {
  const file = path.join(dir, `${Math.random()}.zip`);
  fs.writeFileSync(file, zip);
  const out: ZipItem[] = [];
  for await (const e of zipEntries(file, limits)) out.push(e);
  return out;
}

describe("zipEntries", () => {
  it("should yield files (not folders), and refuse unsafe paths per entry", async () => {
    const items = await entries(makeZip([{ name: "a/", data: "" }, { name: "a/b.txt", data: "hello" }, { name: "../x", data: "y" }, { name: "C:/win", data: "z" }]));
    expect(items).toEqual([
      { name: "a/b.txt", bytes: Buffer.from("hello") },
      { name: "../x", status: 422, reason: expect.stringMatching(/unsafe path/) },
      { name: "C:/win", status: 422, reason: expect.stringMatching(/unsafe path/) },
    ]);
  });

  it("should refuse the whole archive over the entry or unpacked-size limits", async () => {
    const zip = makeZip([{ name: "a", data: "1" }, { name: "b", data: "2" }]);
    await expect(entries(zip, { ...ingestLimits(), maxZipEntries: 1 })).rejects.toMatchObject({ status: 413 });
    const bomb = makeZip([{ name: "z", data: Buffer.alloc(100), declaredSize: 2 ** 31 }]);
    await expect(entries(bomb)).resolves.toEqual([{ name: "z", status: 413, reason: expect.stringMatching(/more than the limit/) }]);
    await expect(entries(bomb, { ...ingestLimits(), maxZipBytes: 1000 })).rejects.toMatchObject({ status: 413 });
  });
});

describe("readTarGz", () => {
  it("should read the wanted entries of a gzipped tar, long names included", () => {
    const src = path.join(dir, "pkg", "package", "img", "a-very-long-folder-name-".repeat(5));
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, "x.png"), "png bytes");
    fs.writeFileSync(path.join(dir, "pkg", "package", "emoji.json"), "[]");
    const tgz = path.join(dir, "pkg.tgz");
    execFileSync("tar", ["-czf", tgz, "-C", path.join(dir, "pkg"), "package"]);
    return (async () => {
      const got: Record<string, string> = {};
      for await (const e of readTarGz(tgz, (n) => n.endsWith(".png") || n.endsWith(".json"))) got[e.name] = e.data.toString();
      expect(got).toEqual({
        [`package/img/${"a-very-long-folder-name-".repeat(5)}/x.png`]: "png bytes",
        "package/emoji.json": "[]",
      });
    })();
  });
});

describe("labelFromPath", () => {
  it("should take the parent folder's name", () => {
    expect(labelFromPath("cats/tabby/1.jpg")).toBe("tabby");
    expect(labelFromPath("dogs\\2.jpg")).toBe("dogs");
    expect(labelFromPath("3.jpg")).toBeNull();
  });
});

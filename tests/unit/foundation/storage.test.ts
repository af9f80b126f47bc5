import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isWritable, keys, resolveKey, writeFileAtomic } from "@/lib/storage";

describe("storage", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "la-storage-"));

  it("should resolve keys inside the data directory and refuse ones that escape it", () => {
    expect(resolveKey(keys.thumb(3, 9), root)).toBe(path.join(root, "collections/3/thumbs/9.webp"));
    expect(() => resolveKey("../etc/passwd", root)).toThrow(/escapes/);
    expect(() => resolveKey("/etc/passwd", root)).toThrow(/escapes/);
  });

  it("should replace a file whole and leave no temp file behind", async () => {
    const target = path.join(root, "a/b/file.bin");
    await writeFileAtomic(target, "old");
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(target)]).toEqual([1, 2, 3]);
    expect(fs.readdirSync(path.dirname(target))).toEqual(["file.bin"]);
  });

  it("should tell whether the data directory is writable", async () => {
    expect(await isWritable(root)).toBe(true);
    const file = path.join(root, "plain-file");
    fs.writeFileSync(file, "x");
    expect(await isWritable(file)).toBe(false);
  });
});

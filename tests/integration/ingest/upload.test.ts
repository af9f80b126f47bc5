import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startServer, type RunningServer } from "../../helpers/server";
import { makeZip } from "../../helpers/zip";
import { createCollection, noiseJpeg, solid, storeSnapshot, upload } from "./fixtures";

// Small limits, so every limit can be crossed with small test files.
const LIMITS = {
  LA_MAX_FILE_BYTES: String(400_000),
  LA_MAX_REQUEST_BYTES: String(4_000_000),
  LA_MAX_PIXELS: String(1_500_000),
  LA_MAX_ZIP_ENTRIES: String(40),
  LA_MAX_ZIP_BYTES: String(3_000_000),
};

describe("POST /api/collections/:id/images on a real next start", () => {
  let server: RunningServer;
  let cid: number;
  let jpeg: Buffer;
  const dataFile = (key: string) => path.join(process.env.LA_DATA_DIR!, key);

  beforeAll(async () => {
    server = await startServer(LIMITS);
    cid = await createCollection(server.url, "holiday");
    jpeg = await noiseJpeg(400, 300, 1);
  });
  afterAll(async () => {
    await server?.stop();
    await prisma.$disconnect();
  });

  /** Uploads one file that must be rejected with `status`; the store must not change. */
  async function expectRejected(name: string, bytes: Buffer, status: number, reason: RegExp) {
    const before = await storeSnapshot();
    const res = await upload(server.url, cid, [[name, bytes]]);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(/nothing was stored/);
    expect(res.body.files).toEqual([{ file: name, outcome: "rejected", status, reason: expect.stringMatching(reason) }]);
    expect(await storeSnapshot()).toEqual(before);
  }

  it("should store every format sharp decodes, typed from the bytes, with original, thumbnail and cache", async () => {
    const png = await solid(300, 200, "#ff0000").ensureAlpha(0.5).png().toBuffer();
    const files: [string, Buffer][] = [
      ["a.jpg", jpeg],
      ["looks-like.jpg", png], // a PNG with the wrong extension is still a PNG
      ["c.webp", await solid(120, 80, "#00ff00").webp().toBuffer()],
      ["d.gif", await solid(64, 64, "#0000ff").gif().toBuffer()],
      ["e.avif", await solid(96, 64, "#ffff00").avif().toBuffer()],
      ["f.tiff", await solid(50, 70, "#00ffff").tiff().toBuffer()],
    ];
    const res = await upload(server.url, cid, files);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 6, duplicates: 0, rejected: 0 });
    const rows = await prisma.image.findMany({ where: { collectionId: cid }, orderBy: { originalName: "asc" } });
    expect(rows.map((r) => [r.originalName, r.mimeType, r.width, r.height])).toEqual([
      ["a.jpg", "image/jpeg", 400, 300],
      ["c.webp", "image/webp", 120, 80],
      ["d.gif", "image/gif", 64, 64],
      ["e.avif", "image/avif", 96, 64],
      ["f.tiff", "image/tiff", 50, 70],
      ["looks-like.jpg", "image/png", 300, 200],
    ]);
    for (const r of rows) {
      expect(fs.readFileSync(dataFile(r.originalKey))).toEqual(files.find(([n]) => n === r.originalName)![1]);
      expect(r.originalKey).toBe(`collections/${cid}/originals/${r.contentHash.slice(0, 2)}/${r.contentHash}`);
      const thumb = await sharp(dataFile(r.thumbKey)).metadata();
      expect(thumb.format).toBe("webp");
      expect(Math.min(thumb.width!, thumb.height!)).toBe(Math.min(256, r.width, r.height));
      expect(fs.statSync(dataFile(`collections/${cid}/pixels/32x3/${r.id}.u8`)).size).toBe(32 * 32 * 3);
    }
    // Alpha is flattened onto white in the model pixels: half-transparent red -> (255, 127, 127).
    const pngRow = rows[5];
    const px = fs.readFileSync(dataFile(`collections/${cid}/pixels/32x3/${pngRow.id}.u8`));
    expect([...px.subarray(0, 3)].map((v) => Math.round(v / 8))).toEqual([32, 16, 16]);
  });

  it("should link a duplicate (same bytes) instead of storing it twice", async () => {
    const before = await storeSnapshot();
    const existing = await prisma.image.findFirstOrThrow({ where: { collectionId: cid, originalName: "a.jpg" } });
    const res = await upload(server.url, cid, [["copy-of-a.jpg", jpeg]]);
    expect(res.status).toBe(200);
    expect(res.body.files).toEqual([{ file: "copy-of-a.jpg", outcome: "duplicate", imageId: existing.id }]);
    expect(await storeSnapshot()).toEqual(before);
  });

  it("should apply the EXIF orientation and keep capture time and camera", async () => {
    const rotated = await solid(400, 200, "#336699")
      .jpeg()
      .withExif({ IFD0: { Make: "Canon", Model: "Canon EOS R5" }, IFD2: { DateTimeOriginal: "2021:06:01 12:34:56" } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const res = await upload(server.url, cid, [["rotated.jpg", rotated]]);
    expect(res.body.files![0].outcome).toBe("stored");
    const row = await prisma.image.findUniqueOrThrow({ where: { id: res.body.files![0].imageId } });
    expect([row.width, row.height, row.camera]).toEqual([200, 400, "Canon EOS R5"]);
    expect(row.takenAt?.getUTCFullYear()).toBe(2021);
    const thumb = await sharp(dataFile(row.thumbKey)).metadata();
    expect([thumb.width, thumb.height]).toEqual([200, 400]);
  });

  it("should reject an empty file (422)", () => expectRejected("empty.jpg", Buffer.alloc(0), 422, /empty/));
  it("should reject a text file named .jpg (415)", () =>
    expectRejected("notes.jpg", Buffer.from("shopping list: milk, eggs\n"), 415, /not an image: the content is a text file/));
  it("should reject a truncated JPEG (422)", async () =>
    expectRejected("cut.jpg", (await noiseJpeg(300, 200, 7)).subarray(0, 3000), 422, /corrupt or truncated/));
  it("should reject a corrupt image (422)", async () => {
    const png = await solid(100, 100, "#123456").png().toBuffer();
    const broken = Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 0x55), png.subarray(240)]);
    await expectRejected("broken.png", broken, 422, /corrupt or truncated/);
  });
  it("should reject a file over the per-file limit (413)", async () =>
    expectRejected("huge.jpg", await noiseJpeg(1200, 1000, 3, 98), 413, /more than the limit of 390\.6 KiB per file/));
  it("should reject a decompression bomb over the pixel limit (413)", async () =>
    expectRejected("bomb.png", await solid(2000, 1000, "#000000").png({ compressionLevel: 9 }).toBuffer(), 413, /2000x1000 \(2\.0 megapixels\), more than the limit of 1\.5/));
  it("should reject HEIC with a reason (415)", () =>
    expectRejected("phone.heic", Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypheic"), Buffer.alloc(64)]), 415, /HEIC/));

  it("should refuse a request over the per-request limit before reading it (413)", async () => {
    const before = await storeSnapshot();
    const res = await fetch(`${server.url}/api/collections/${cid}/images`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(5_000_000) },
      body: Buffer.alloc(5_000_000),
    }).catch((e) => e as Error);
    if (res instanceof Response) {
      expect(res.status).toBe(413);
      expect((await res.json()).error).toMatch(/more than the limit of 3\.8 MiB per request/);
    }
    expect(await storeSnapshot()).toEqual(before);
  });

  it("should refuse a body that is not multipart (415) and an unknown collection (404)", async () => {
    const a = await fetch(`${server.url}/api/collections/${cid}/images`, { method: "POST", body: "x", headers: { "content-type": "text/plain" } });
    expect(a.status).toBe(415);
    expect((await a.json()).error).toMatch(/multipart\/form-data/);
    const b = await upload(server.url, 99999, [["a.jpg", jpeg]]);
    expect(b.status).toBe(404);
  });

  it("should unpack a zip with good and bad entries, storing only the good ones", async () => {
    const before = await storeSnapshot();
    const good1 = await noiseJpeg(200, 150, 11);
    const good2 = await solid(80, 60, "#abcdef").png().toBuffer();
    const zip = makeZip([
      { name: "trip/", data: "" },
      { name: "trip/beach.jpg", data: good1, method: "store" },
      { name: "trip/sub/sunset.png", data: good2 },
      { name: "readme.jpg", data: "just text" },
      { name: "../escape.jpg", data: await noiseJpeg(50, 50, 12) },
      { name: "/etc/absolute.jpg", data: await noiseJpeg(50, 50, 13) },
      { name: "inner.zip", data: makeZip([{ name: "x.jpg", data: good1 }]) },
      { name: "empty.png", data: "" },
      { name: "dup-of-a.jpg", data: jpeg },
    ]);
    const res = await upload(server.url, cid, [["photos.zip", zip]], { labelsFromFolders: "true" });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.files!.map((f) => [f.file, f]));
    expect(Object.keys(byName).sort()).toEqual(
      ["trip/beach.jpg", "trip/sub/sunset.png", "readme.jpg", "../escape.jpg", "/etc/absolute.jpg", "inner.zip", "empty.png", "dup-of-a.jpg"]
        .map((n) => `photos.zip/${n}`)
        .sort(),
    );
    expect(byName["photos.zip/trip/beach.jpg"].outcome).toBe("stored");
    expect(byName["photos.zip/trip/sub/sunset.png"].outcome).toBe("stored");
    expect(byName["photos.zip/dup-of-a.jpg"].outcome).toBe("duplicate");
    expect(byName["photos.zip/readme.jpg"]).toMatchObject({ status: 415, reason: expect.stringMatching(/text file/) });
    expect(byName["photos.zip/../escape.jpg"]).toMatchObject({ status: 422, reason: expect.stringMatching(/unsafe path/) });
    expect(byName["photos.zip//etc/absolute.jpg"]).toMatchObject({ status: 422, reason: expect.stringMatching(/unsafe path/) });
    expect(byName["photos.zip/inner.zip"]).toMatchObject({ status: 422, reason: expect.stringMatching(/nested archive/) });
    expect(byName["photos.zip/empty.png"]).toMatchObject({ status: 422, reason: expect.stringMatching(/empty/) });
    const after = await storeSnapshot();
    const newRows = after.rows.slice(before.rows.length) as { originalName: string; label: string | null }[];
    expect(newRows.map((r) => [r.originalName, r.label])).toEqual(
      expect.arrayContaining([["photos.zip/trip/beach.jpg", "trip"], ["photos.zip/trip/sub/sunset.png", "sub"]]),
    );
    expect(newRows).toHaveLength(2);
    expect(after.files.length - before.files.length).toBe(6); // 2 x (original, thumbnail, cache entry)
    expect(after.files.some((f) => f.includes("escape") || f.startsWith("tmp/"))).toBe(false);
  });

  it("should refuse a zip with too many entries (413) before storing any", async () => {
    const entries = await Promise.all(Array.from({ length: 41 }, async (_, i) => ({ name: `${i}.jpg`, data: await noiseJpeg(20, 20, 100 + i) })));
    await expectRejected("many.zip", makeZip(entries), 413, /41 entries, more than the limit of 40/);
  });

  it("should refuse a zip bomb by its total unpacked size (413) before storing any", async () => {
    const entries = [{ name: "ok.jpg", data: await noiseJpeg(30, 30, 200) }, ...Array.from({ length: 4 }, (_, i) => ({ name: `zeros${i}.bin`, data: Buffer.alloc(1_000_000) }))];
    await expectRejected("bomb.zip", makeZip(entries), 413, /would unpack to .* more than the limit of 2\.9 MiB/);
  });

  it("should reject a zip entry whose data is larger than its header says (422)", async () => {
    const zip = makeZip([{ name: "liar.jpg", data: await noiseJpeg(100, 100, 300), declaredSize: 500 }]);
    const before = await storeSnapshot();
    const res = await upload(server.url, cid, [["liar.zip", zip]]);
    expect(res.status).toBe(422);
    expect(res.body.files).toEqual([{ file: "liar.zip/liar.jpg", outcome: "rejected", status: 422, reason: expect.stringMatching(/corrupt/) }]);
    expect(await storeSnapshot()).toEqual(before);
  });

  it("should reject a corrupt zip archive (422) and a gzip file (415)", async () => {
    await expectRejected("bad.zip", Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(100, 7)]), 422, /not a readable zip/);
    await expectRejected("photos.tar.gz", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]), 415, /gzip archive; only zip archives are unpacked/);
  });

  it("should page through images with a cursor and filter by label and name", async () => {
    const all = await prisma.image.findMany({ where: { collectionId: cid }, orderBy: { id: "asc" } });
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const res = await fetch(`${server.url}/api/collections/${cid}/images?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      const body = (await res.json()) as { images: { id: number }[]; nextCursor: number | null };
      seen.push(...body.images.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((r) => r.id));
    const byLabel = await (await fetch(`${server.url}/api/collections/${cid}/images?label=trip`)).json();
    expect(byLabel.images.map((i: { name: string }) => i.name)).toEqual(["photos.zip/trip/beach.jpg"]);
    const byName = await (await fetch(`${server.url}/api/collections/${cid}/images?q=SUNSET`)).json();
    expect(byName.images.map((i: { name: string }) => i.name)).toEqual(["photos.zip/trip/sub/sunset.png"]);
    const bad = await fetch(`${server.url}/api/collections/${cid}/images?limit=0`);
    expect(bad.status).toBe(422);
  });

  it("should serve thumbnails and originals with their types, immutable caching and ETags", async () => {
    const row = await prisma.image.findFirstOrThrow({ where: { collectionId: cid, originalName: "a.jpg" } });
    const thumb = await fetch(`${server.url}/api/images/${row.id}/thumb`);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    expect(thumb.headers.get("cache-control")).toContain("immutable");
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe("webp");
    const original = await fetch(`${server.url}/api/images/${row.id}/original`);
    expect(original.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await original.arrayBuffer())).toEqual(jpeg);
    const etag = original.headers.get("etag")!;
    expect(etag).toBe(`"${row.contentHash}"`);
    const again = await fetch(`${server.url}/api/images/${row.id}/original`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await fetch(`${server.url}/api/images/987654/thumb`)).status).toBe(404);
  });
});

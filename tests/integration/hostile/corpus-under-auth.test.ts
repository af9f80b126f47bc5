import { deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startServer, type RunningServer } from "../../helpers/server";
import { makeZip } from "../../helpers/zip";
import { createCollection, noiseJpeg, pngBomb, solid, storeSnapshot, upload, type UploadAnswer, type UploadFile } from "../ingest/fixtures";
import { storeMismatch } from "./store";

// The malformed-upload corpus against a live server with access control on. Small limits, so every
// limit is crossed with small files.
const TOKEN = "hostile-token-0123456789";
const BEARER = { authorization: `Bearer ${TOKEN}` };
const LIMITS = {
  LA_AUTH_TOKEN: TOKEN,
  LA_MAX_FILE_BYTES: String(400_000),
  LA_MAX_REQUEST_BYTES: String(4_000_000),
  LA_MAX_PIXELS: String(1_500_000),
  LA_MAX_ZIP_ENTRIES: String(8),
  LA_MAX_ZIP_BYTES: String(3_000_000),
};

interface Answer {
  status: number;
  body: UploadAnswer["body"];
}

/** One malformed request: `send` makes it with the given headers. */
interface Case {
  name: string;
  send: (headers: Record<string, string>) => Promise<Answer>;
  status: number;
  error: RegExp;
}

describe("the malformed-upload corpus against a live server with LA_AUTH_TOKEN", () => {
  let server: RunningServer;
  let cid: number;
  const valid: UploadFile[] = [];
  let before: Awaited<ReturnType<typeof storeSnapshot>>;

  const images = (path: string) => `${server.url}/api/collections/${cid}/images${path}`;
  const answer = async (res: Response): Promise<Answer> => ({ status: res.status, body: await res.json() });
  const files = (list: UploadFile[], fields?: Record<string, string>) => (headers: Record<string, string>) => upload(server.url, cid, list, fields, headers);

  beforeAll(async () => {
    server = await startServer(LIMITS);
    cid = await createCollection(server.url, "hostile", undefined, BEARER);
    valid.push(
      ["a.jpg", await noiseJpeg(200, 150, 1)],
      ["b.png", await solid(120, 90, "#aa3300").png().toBuffer()],
      ["c.webp", await solid(64, 48, "#0033aa").webp().toBuffer()],
    );
    const res = await upload(server.url, cid, valid, {}, BEARER);
    expect(res.body).toMatchObject({ stored: 3, rejected: 0 });
    before = await storeSnapshot();
  });
  afterAll(async () => {
    await server?.stop();
    await prisma.$disconnect();
  });

  const zip = (entries: Parameters<typeof makeZip>[0]) => makeZip(entries);
  const cases: Case[] = [
    { name: "a truncated JPEG", send: async (h) => files([["cut.jpg", (await noiseJpeg(300, 200, 7)).subarray(0, 3000)]])(h), status: 422, error: /the JPEG data is corrupt or truncated/ },
    { name: "a zero-byte file", send: files([["empty.jpg", Buffer.alloc(0)]]), status: 422, error: /the file is empty/ },
    { name: "a text file named .jpg", send: files([["notes.jpg", Buffer.from("shopping list: milk, eggs\n"), "image/jpeg"]]), status: 415, error: /not an image: the content is a text file/ },
    { name: "a decompression bomb (100000x100000 declared, a few hundred bytes)", send: files([["bomb.png", pngBomb(100_000, 100_000)]]), status: 413, error: /100000x100000 \(10000\.0 megapixels\), more than the limit of 1\.5 megapixels/ },
    {
      name: "a zip bomb (one 64 MiB entry of zeros, compressed to kilobytes)",
      send: files([["bomb.zip", zip([{ name: "zeros.jpg", data: Buffer.alloc(64 * 1024 ** 2) }])]]),
      status: 413, error: /the zip would unpack to 64 MiB, more than the limit of 2\.9 MiB/,
    },
    {
      name: "a zip with path traversal and absolute names",
      send: async (h) => files([["evil.zip", zip([{ name: "../../etc/passwd.jpg", data: await noiseJpeg(40, 40, 21) }, { name: "/etc/absolute.jpg", data: await noiseJpeg(40, 40, 22) }])]])(h),
      status: 422, error: /unsafe path in the archive/,
    },
    { name: "a zip with a symbolic link", send: files([["link.zip", zip([{ name: "passwd.jpg", data: "/etc/passwd", unixMode: 0o120777 }])]]), status: 422, error: /a symbolic link in the archive, not extracted/ },
    {
      name: "nested zips",
      send: async (h) => files([["outer.zip", zip([{ name: "inner.zip", data: zip([{ name: "x.jpg", data: await noiseJpeg(40, 40, 23) }]) }])]])(h),
      status: 422, error: /a nested archive \(zip archive inside an archive\) is not unpacked/,
    },
    { name: "a corrupt zip", send: files([["bad.zip", Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(200, 7)])]]), status: 422, error: /not a readable zip archive/ },
    { name: "a file over the per-file limit", send: async (h) => files([["huge.jpg", await noiseJpeg(1200, 1000, 3, 98)]])(h), status: 413, error: /more than the limit of 390\.6 KiB per file/ },
    {
      name: "a zip with too many entries",
      send: async (h) => files([["many.zip", zip(await Promise.all(Array.from({ length: 9 }, async (_, i) => ({ name: `${i}.jpg`, data: await noiseJpeg(20, 20, 40 + i) }))))]])(h),
      status: 413, error: /the zip has 9 entries, more than the limit of 8/,
    },
    { name: "a 300-character file name", send: async (h) => files([[`${"x".repeat(296)}.jpg`, await noiseJpeg(60, 40, 24)]])(h), status: 422, error: /the file name is 300 characters long, more than the limit of 255/ },
    { name: "a NUL in a part's file name", send: async (h) => files([["a\0b.jpg", await noiseJpeg(60, 40, 25)]])(h), status: 422, error: /could not be read as multipart\/form-data .*such as NUL in a file name/ },
    {
      name: "a NUL in a zip entry's name",
      send: async (h) => files([["nul.zip", zip([{ name: "evil\0.jpg", data: await noiseJpeg(60, 40, 26) }])]])(h),
      status: 422, error: /the file name contains a control character \(NUL at position 13\)/,
    },
    {
      name: "an SVG with a script",
      send: files([["logo.svg", Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'), "image/svg+xml"]]),
      status: 415, error: /SVG\/XML images are not supported/,
    },
    { name: "a multipart body with no file field", send: files([], { labelsFromFolders: "true" }), status: 422, error: /the upload contains no files/ },
    {
      name: "a JSON body on the upload endpoint",
      send: async (h) => answer(await fetch(images(""), { method: "POST", headers: { ...h, "content-type": "application/json" }, body: JSON.stringify({ files: ["a.jpg"] }) })),
      status: 415, error: /send the files as multipart\/form-data/,
    },
    {
      name: "a multipart content type with a broken body",
      send: async (h) => answer(await fetch(images(""), { method: "POST", headers: { ...h, "content-type": "multipart/form-data; boundary=zzz" }, body: "--zzz\r\nno headers end here" })),
      status: 422, error: /could not be read as multipart\/form-data/,
    },
  ];

  for (const c of cases) {
    it(`should refuse ${c.name} without the token (401) and with it (${c.status}), storing nothing`, async () => {
      const anonymous = await c.send({});
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error).toMatch(/authentication required/);
      const res = await c.send(BEARER);
      expect({ status: res.status, error: res.body.error }).toEqual({ status: c.status, error: expect.stringMatching(c.error) });
      expect(await storeSnapshot()).toEqual(before);
    });
  }

  it("should take a PNG named .jpg and sent as text/plain for the PNG it is (here: a duplicate)", async () => {
    const png = valid[1][1];
    expect((await upload(server.url, cid, [["photo.jpg", png, "text/plain"]])).status).toBe(401);
    const res = await upload(server.url, cid, [["photo.jpg", png, "text/plain"]], {}, BEARER);
    const row = await prisma.image.findFirstOrThrow({ where: { collectionId: cid, originalName: "b.png" } });
    expect(res).toEqual({ status: 200, body: { stored: 0, duplicates: 1, rejected: 0, files: [{ file: "photo.jpg", outcome: "duplicate", imageId: row.id }] } });
    expect(row.mimeType).toBe("image/png");
  });

  it("should refuse the files past the per-request count (413) and link the others", async () => {
    const copies: UploadFile[] = Array.from({ length: 9 }, (_, i) => [`copy-${i}.jpg`, valid[0][1]]);
    expect((await upload(server.url, cid, copies)).status).toBe(401);
    const res = await upload(server.url, cid, copies, {}, BEARER);
    expect(res.status).toBe(200); // some files were linked: the answer lists the refused one
    expect(res.body).toMatchObject({ stored: 0, duplicates: 8, rejected: 1 });
    expect(res.body.files!.find((f) => f.outcome === "rejected")).toEqual({
      file: "copy-8.jpg", outcome: "rejected", status: 413, reason: expect.stringMatching(/more than 8 files, the limit of one request/),
    });
  });

  it("should leave exactly the images stored before the corpus, rows and files matching both ways", async () => {
    const after = await storeSnapshot();
    expect(after).toEqual(before);
    const rows = await prisma.image.findMany({ where: { collectionId: cid }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.originalName).sort()).toEqual(valid.map(([name]) => name).sort());
    expect(await storeMismatch(cid)).toEqual({ rows: 3, files: 9, orphanFiles: [], missingFiles: [], tmpFiles: [] });
    // the corpus sent no request the server failed on
    expect(server.output()).not.toMatch(/unhandled error|could not (read|store) this file/);
  });

  it("should have built the zip bomb small: compression makes it a bomb", () => {
    expect(deflateRawSync(Buffer.alloc(64 * 1024 ** 2)).length).toBeLessThan(100_000);
    expect(pngBomb(100_000, 100_000).length).toBeLessThan(2000);
  });
});

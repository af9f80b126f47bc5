import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startDbWriter, startServer, type RunningServer } from "../../helpers/server";
import { makeZip } from "../../helpers/zip";
import { createCollection, noiseJpeg, pngBomb, solid, upload, type UploadAnswer, type UploadFile } from "../ingest/fixtures";
import { storeMismatch } from "./store";

// 100 uploads at once against a real next start: distinct images, the same bytes in several requests
// at the same moment (the duplicate race), zips that overlap the single files, and invalid files.
const REQUESTS = 100;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

interface Planned {
  files: UploadFile[];
  /** The bytes of every valid image in the request (zip entries included). */
  valid: Buffer[];
  invalid: boolean;
}

async function distinctImages(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < 48; i++) {
    const w = 48 + ((i * 37) % 600);
    const h = 40 + ((i * 53) % 420);
    if (i % 3 === 0) out.push(await noiseJpeg(w, h, 1000 + i));
    else if (i % 3 === 1) out.push(await solid(w, h, `#${(i * 2654435).toString(16).padStart(6, "0").slice(-6)}`).png().toBuffer());
    else out.push(await solid(w, h, `#${(i * 40503).toString(16).padStart(6, "0").slice(-6)}`).webp().toBuffer());
  }
  return out;
}

async function plan(): Promise<Planned[]> {
  const images = await distinctImages();
  const zipOnly = await Promise.all(Array.from({ length: 6 }, (_, i) => noiseJpeg(90, 70, 5000 + i)));
  const requests: Planned[] = images.map((b, i) => ({ files: [[`img-${i}`, b]], valid: [b], invalid: false }));
  // 30 duplicates: the first ten images three more times each, under other names
  for (let copy = 0; copy < 3; copy++) {
    for (let i = 0; i < 10; i++) requests.push({ files: [[`copy-${copy}-of-${i}.bin`, images[i]]], valid: [images[i]], invalid: false });
  }
  // 6 zips: each one image of its own, one already sent alone, one text entry
  for (let z = 0; z < 6; z++) {
    const entries = [{ name: `new-${z}.jpg`, data: zipOnly[z] }, { name: `again-${z}.jpg`, data: images[20 + z] }, { name: "notes.txt", data: "not an image" }];
    requests.push({ files: [[`batch-${z}.zip`, makeZip(entries)]], valid: [zipOnly[z], images[20 + z]], invalid: false });
  }
  // 16 invalid files
  const bad: UploadFile[] = [
    ...Array.from({ length: 4 }, (_, i): UploadFile => [`text-${i}.jpg`, Buffer.from(`line ${i}\n`)]),
    ...Array.from({ length: 4 }, (_, i): UploadFile => [`cut-${i}.jpg`, images[3 * i].subarray(0, 400)]),
    ...Array.from({ length: 4 }, (_, i): UploadFile => [`empty-${i}.png`, Buffer.alloc(0)]),
    ...Array.from({ length: 2 }, (_, i): UploadFile => [`bomb-${i}.png`, pngBomb(40_000 + i, 40_000)]),
    ["corrupt.zip", Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(300, 9)])],
    ["nested.zip", makeZip([{ name: "inner.zip", data: makeZip([{ name: "x.jpg", data: zipOnly[0] }]) }])],
  ];
  requests.push(...bad.map((f) => ({ files: [f], valid: [], invalid: true })));
  expect(requests).toHaveLength(REQUESTS);
  // interleave so duplicates, zips and invalid files arrive mixed
  return requests.map((r, i) => ({ r, key: (i * 7919) % 101 })).sort((a, b) => a.key - b.key).map((x) => x.r);
}

describe("100 concurrent uploads on a real next start", () => {
  let server: RunningServer;
  let cid: number;

  beforeAll(async () => {
    server = await startServer({ LA_MAX_PIXELS: String(50_000_000) });
    cid = await createCollection(server.url, "concurrent");
  });
  afterAll(async () => {
    await server?.stop();
    await prisma.$disconnect();
  });

  it("should store each distinct image once, refuse the invalid ones with 4xx and leave no orphan or missing file", { timeout: 120_000 }, async () => {
    const requests = await plan();
    // another process writes all the while, as a worker reporting progress does
    const writer = await startDbWriter();
    const t0 = performance.now();
    const answers: UploadAnswer[] = await Promise.all(requests.map((r) => upload(server.url, cid, r.files)));
    const seconds = (performance.now() - t0) / 1000;
    expect(await writer.stop()).toBeGreaterThan(10);
    console.log(`${REQUESTS} concurrent uploads in ${seconds.toFixed(1)} s (${(REQUESTS / seconds).toFixed(1)} requests/s)`);

    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    for (const [i, r] of requests.entries()) {
      const a = answers[i];
      if (r.invalid) {
        expect({ file: r.files[0][0], status: a.status }).toEqual({ file: r.files[0][0], status: expect.any(Number) });
        expect(a.status).toBeGreaterThanOrEqual(400);
        expect(a.body.files?.[0]).toMatchObject({ outcome: "rejected", reason: expect.any(String) });
      } else {
        expect({ file: r.files[0][0], status: a.status }).toEqual({ file: r.files[0][0], status: 200 });
      }
    }
    const rows = await prisma.image.findMany({ where: { collectionId: cid }, select: { id: true, contentHash: true } });
    const rowByHash = new Map(rows.map((r) => [r.contentHash, r.id]));
    // every outcome names the one row of its bytes: duplicates are linked, never stored twice
    for (const [i, r] of requests.entries()) {
      const ids = answers[i].body.files!.filter((f) => f.outcome !== "rejected").map((f) => f.imageId).sort();
      expect(ids).toEqual(r.valid.map((b) => rowByHash.get(sha(b))).sort());
    }
    const distinct = new Set(requests.flatMap((r) => r.valid.map(sha)));
    expect(distinct.size).toBe(48 + 6);
    expect(rows).toHaveLength(distinct.size);
    expect(new Set(rows.map((r) => r.contentHash))).toEqual(distinct);
    const outcomes = answers.flatMap((a) => a.body.files ?? []);
    expect(outcomes.filter((o) => o.outcome === "stored")).toHaveLength(distinct.size);

    expect(await storeMismatch(cid)).toEqual({ rows: distinct.size, files: 3 * distinct.size, orphanFiles: [], missingFiles: [], tmpFiles: [] });
    expect(server.output()).not.toMatch(/unhandled error|ingest failed unexpectedly|could not (read|store) this file/);
  });
});

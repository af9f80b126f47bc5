import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { keys } from "@/lib/storage";
import { startServer, type RunningServer } from "../../helpers/server";
import { noiseJpeg, storeSnapshot, upload } from "./fixtures";

const root = () => process.env.LA_DATA_DIR!;
const files = (dir: string) =>
  fs.existsSync(path.join(root(), dir)) ? (fs.readdirSync(path.join(root(), dir), { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root(), dir, f)).isFile()) : [];

describe("a crash between writing the files and committing the row", () => {
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    await prisma.$disconnect();
  });

  it("should leave no row, and the next start should remove the orphaned files, stale temp files and half-done deletes", async () => {
    const c = await prisma.collection.create({ data: { name: "crashy", settings: {} } });
    const jpeg = await noiseJpeg(300, 200, 42);
    const src = path.join(root(), "..", `${path.basename(root())}-crash.jpg`);
    fs.writeFileSync(src, jpeg);
    const child = spawnSync(process.execPath, ["--import", "tsx", "tests/integration/ingest/crash-child.ts", String(c.id), src], {
      env: { ...process.env, LOG_LEVEL: "silent" },
      encoding: "utf8",
    });
    fs.rmSync(src);
    expect(child.stdout).toContain("dying before commit");
    expect(child.signal).toBe("SIGKILL");

    // Killed inside the transaction: no row, but the three files are in place.
    expect(await prisma.image.count()).toBe(0);
    const orphans = files(keys.collection(c.id));
    expect(orphans.map((f) => f.split("/")[0]).sort()).toEqual(["originals", "pixels", "thumbs"]);

    // A stale temp file from an older crash, a fresh one (maybe an upload still running elsewhere),
    // and a delete interrupted after it marked its collection.
    fs.mkdirSync(path.join(root(), "tmp"), { recursive: true });
    fs.writeFileSync(path.join(root(), "tmp", "old-upload"), "x");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(path.join(root(), "tmp", "old-upload"), twoHoursAgo, twoHoursAgo);
    fs.writeFileSync(path.join(root(), "tmp", "fresh-upload"), "x");
    const doomed = await prisma.collection.create({ data: { name: "\u0000deleting-x", settings: {}, status: "deleting" } });
    fs.mkdirSync(path.join(root(), keys.collection(doomed.id), "thumbs"), { recursive: true });
    fs.writeFileSync(path.join(root(), keys.collection(doomed.id), "thumbs", "1.webp"), "x");
    fs.mkdirSync(path.join(root(), "collections", "777", "thumbs"), { recursive: true }); // no row at all

    server = await startServer(); // instrumentation.ts runs recoverStore()
    expect(files(keys.collection(c.id))).toEqual([]);
    expect(files("tmp")).toEqual(["fresh-upload"]);
    expect(await prisma.collection.findUnique({ where: { id: doomed.id } })).toBeNull();
    expect(fs.existsSync(path.join(root(), keys.collection(doomed.id)))).toBe(false);
    expect(fs.existsSync(path.join(root(), "collections", "777"))).toBe(false);

    // The same file goes in cleanly afterwards.
    const res = await upload(server.url, c.id, [["crash.jpg", jpeg]]);
    expect(res.body.files![0].outcome).toBe("stored");
    const snap = await storeSnapshot();
    expect(snap.rows).toHaveLength(1);
    expect(snap.files.filter((f) => f.startsWith("collections/"))).toHaveLength(3);
  });
});

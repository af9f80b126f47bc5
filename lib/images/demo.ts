/**
 * The demo collections, built from what the package registries and apt provide (no other download):
 *  - "Emoji (demo)": the 64 px colour emoji PNGs of the npm package emoji-datasource-google, each
 *    labelled with its emoji.json category. The tarball is fetched with `npm pack` into
 *    $LA_DATA_DIR/cache/ (never a dependency of the project) and read in memory.
 *  - "Fashion-MNIST (demo)": a class-balanced subset of the Debian dataset-fashion-mnist training set,
 *    written as 28x28 grey PNGs labelled with their class name; pixel format 28 x 1.
 * Both are idempotent: a marker file in the cache records a completed build, and a second run only
 * checks it against the database.
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { ensureCollection } from "@/lib/collections/collections.service";
import { prisma } from "@/lib/db/client";
import { FASHION_MNIST_DIR, loadFashionMnist } from "@/lib/la/datasets/fashion-mnist";
import { resolveKey } from "@/lib/storage";
import { IngestSession, type FileOutcome, type IngestSummary } from "./ingest.service";
import { readTarGz } from "./tar";

export const EMOJI_PACKAGE = "emoji-datasource-google@16.0.0";
const EMOJI_IMAGES = "package/img/google/64/";
export const FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

export interface DemoResult {
  name: string;
  collectionId: number;
  images: number;
  /** True when the marker showed it complete and nothing was imported. */
  skipped: boolean;
  summary?: IngestSummary;
}

export interface DemoProgress {
  onTotal?: (name: string, n: number) => void;
  onOutcome?: (o: FileOutcome) => void;
}

const cacheDir = () => resolveKey("cache");

interface Marker {
  collectionId: number;
  images: number;
}

/** The collection the marker names, if it is complete: same id, ready, at least as many images. */
async function completed(markerName: string): Promise<Marker | null> {
  const marker = await fs
    .readFile(path.join(cacheDir(), markerName), "utf8")
    .then((s) => JSON.parse(s) as Marker)
    .catch(() => null);
  if (!marker) return null;
  const c = await prisma.collection.findUnique({ where: { id: marker.collectionId }, select: { status: true, _count: { select: { images: true } } } });
  return c && c.status === "ready" && c._count.images >= marker.images ? marker : null;
}

async function writeMarker(markerName: string, marker: Marker): Promise<void> {
  await fs.mkdir(cacheDir(), { recursive: true });
  await fs.writeFile(path.join(cacheDir(), markerName), JSON.stringify(marker));
}

/** The emoji tarball in the cache, fetched with `npm pack` the first time. */
async function emojiTarball(): Promise<string> {
  const dir = cacheDir();
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${EMOJI_PACKAGE.replace("@", "-")}.tgz`);
  try {
    await fs.access(file);
    return file;
  } catch {
    // The npm registry is the one source allowed; npm's own cache makes a re-fetch cheap.
    const { stdout } = await promisify(execFile)("npm", ["pack", EMOJI_PACKAGE, "--pack-destination", dir, "--json", "--silent"], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const packed = path.join(dir, (JSON.parse(stdout) as { filename: string }[])[0].filename);
    if (packed !== file) await fs.rename(packed, file);
    return file;
  }
}

export async function emojiDemo(progress: DemoProgress = {}): Promise<DemoResult> {
  const name = "Emoji (demo)";
  const marker = "demo-emoji.json";
  const done = await completed(marker);
  if (done) return { name, collectionId: done.collectionId, images: done.images, skipped: true };

  const tarball = await emojiTarball();
  const pngs: { name: string; data: Buffer }[] = [];
  let emojiJson: Buffer | null = null;
  for await (const e of readTarGz(tarball, (n) => n === "package/emoji.json" || (n.startsWith(EMOJI_IMAGES) && n.endsWith(".png")))) {
    if (e.name === "package/emoji.json") emojiJson = e.data;
    else pngs.push({ name: e.name.slice(EMOJI_IMAGES.length), data: e.data });
  }
  if (!emojiJson || pngs.length === 0) throw new Error(`${EMOJI_PACKAGE} has no emoji.json or no ${EMOJI_IMAGES} images`);
  const category = new Map<string, string>();
  type Emoji = { image: string; category: string; skin_variations?: Record<string, { image: string }> };
  for (const e of JSON.parse(emojiJson.toString("utf8")) as Emoji[]) {
    category.set(e.image, e.category);
    for (const v of Object.values(e.skin_variations ?? {})) category.set(v.image, e.category);
  }
  pngs.sort((a, b) => (a.name < b.name ? -1 : 1));
  const collection = await ensureCollection(name);
  progress.onTotal?.(name, pngs.length);
  const session = await IngestSession.open(collection.id, { onOutcome: progress.onOutcome });
  for (const p of pngs) await session.add({ name: p.name, bytes: p.data, label: category.get(p.name) ?? null });
  const summary = await session.finish();
  const images = await prisma.image.count({ where: { collectionId: collection.id } });
  await writeMarker(marker, { collectionId: collection.id, images });
  return { name, collectionId: collection.id, images, skipped: false, summary };
}

export async function fashionMnistDemo(count = 2000, progress: DemoProgress = {}): Promise<DemoResult | null> {
  const name = "Fashion-MNIST (demo)";
  const marker = "demo-fashion-mnist.json";
  const done = await completed(marker);
  if (done) return { name, collectionId: done.collectionId, images: done.images, skipped: true };
  if (!(await fs.access(FASHION_MNIST_DIR).then(() => true, () => false))) return null;

  const data = await loadFashionMnist("train", 20_000);
  // Class-balanced: the first count/10 images of each class, in dataset order.
  const perClass = Math.ceil(count / FASHION_CLASSES.length);
  const taken = new Array<number>(FASHION_CLASSES.length).fill(0);
  const picked: number[] = [];
  for (let i = 0; i < data.n && picked.length < count; i++) {
    if (taken[data.labels[i]] < perClass) {
      taken[data.labels[i]]++;
      picked.push(i);
    }
  }
  const collection = await ensureCollection(name, { resolution: 28, channels: 1 });
  progress.onTotal?.(name, picked.length);
  const session = await IngestSession.open(collection.id, { onOutcome: progress.onOutcome });
  const size = data.resolution * data.resolution;
  for (const i of picked) {
    const png = await sharp(Buffer.from(data.pixels.subarray(i * size, (i + 1) * size)), {
      raw: { width: data.resolution, height: data.resolution, channels: 1 },
    })
      .png()
      .toBuffer();
    await session.add({ name: `train-${String(i).padStart(5, "0")}.png`, bytes: png, label: FASHION_CLASSES[data.labels[i]] });
  }
  const summary = await session.finish();
  const images = await prisma.image.count({ where: { collectionId: collection.id } });
  await writeMarker(marker, { collectionId: collection.id, images });
  return { name, collectionId: collection.id, images, skipped: false, summary };
}

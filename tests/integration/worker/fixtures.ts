import { prisma } from "@/lib/db/client";
import { loadFashionMnist } from "@/lib/la/datasets/fashion-mnist";
import { keys, resolveKey, writeFileAtomic } from "@/lib/storage";

/**
 * A collection of the first n Fashion-MNIST training images (28x28 grey) as ingest would leave it:
 * Image rows plus tensor-cache files (no originals: training reads only the cache).
 */
export async function createFashionCollection(name: string, n: number, settings: Record<string, unknown> = {}) {
  const collection = await prisma.collection.create({ data: { name, settings: { resolution: 28, channels: 1, ...settings } } });
  await addFashionImages(collection.id, 0, n);
  return collection;
}

/** Adds Fashion-MNIST training images [from, to) to a collection; returns their ids. */
export async function addFashionImages(collectionId: number, from: number, to: number): Promise<number[]> {
  const data = await loadFashionMnist("train", to);
  const size = 28 * 28;
  const ids: number[] = [];
  const name = `c${collectionId}`;
  const collection = { id: collectionId };
  for (let i = from; i < to; i++) {
    const image = await prisma.image.create({
      data: {
        collectionId: collection.id,
        contentHash: `${name}-${i}`,
        originalName: `fashion-${i}.png`,
        mimeType: "image/png",
        width: 28,
        height: 28,
        byteSize: size,
        originalKey: `collections/${collection.id}/originals/none/${i}`,
        thumbKey: keys.thumb(collection.id, i),
        label: String(data.labels[i]),
      },
    });
    await writeFileAtomic(resolveKey(keys.pixels(collection.id, 28, 1, image.id)), data.pixels.subarray(i * size, (i + 1) * size));
    ids.push(image.id);
  }
  return ids;
}

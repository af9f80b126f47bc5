import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { FASHION_CLASSES, fashionMnistDemo } from "@/lib/images/demo";
import { FASHION_MNIST_DIR } from "@/lib/la/datasets/fashion-mnist";

// The emoji demo needs `npm pack` from the registry (about 75 MB); `npm start` runs it. This covers the
// Fashion-MNIST one, and the idempotence both share.
describe.skipIf(!fs.existsSync(FASHION_MNIST_DIR))("Fashion-MNIST demo collection", () => {
  afterAll(() => prisma.$disconnect());

  it("should write a class-balanced labelled subset at 28 x 1, and do nothing the second time", async () => {
    const first = await fashionMnistDemo(50);
    expect(first).toMatchObject({ name: "Fashion-MNIST (demo)", images: 50, skipped: false });
    const c = await prisma.collection.findUniqueOrThrow({ where: { id: first!.collectionId } });
    expect(c.settings).toEqual({ resolution: 28, channels: 1 });
    const labels = await prisma.image.groupBy({ by: ["label"], where: { collectionId: c.id }, _count: { _all: true } });
    expect(labels.map((l) => [l.label, l._count._all]).sort()).toEqual(FASHION_CLASSES.map((l) => [l, 5]).sort());
    const row = await prisma.image.findFirstOrThrow({ where: { collectionId: c.id } });
    expect([row.mimeType, row.width, row.height]).toEqual(["image/png", 28, 28]);

    const second = await fashionMnistDemo(50);
    expect(second).toMatchObject({ collectionId: c.id, images: 50, skipped: true });
  });
});

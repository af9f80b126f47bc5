import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeClusterings } from "@/lib/clusters/cluster.service";
import { writeMap } from "@/lib/clusters/map-file";
import { prisma } from "@/lib/db/client";
import { Rng } from "@/lib/la/rng";
import { useBackend } from "@/lib/tf/backend";
import { screenshot, startApp, type AppUnderTest } from "../helpers/browser";
import { createCollection, createModel, unitBlobs } from "../integration/clusters/fixtures";

/** A collection whose active model has a map of n random points (no images: only the map is drawn). */
async function bigMapCollection(n: number, clusters: number): Promise<number> {
  const c = await prisma.collection.create({ data: { name: `map-${n}`, settings: {} } });
  const m = await prisma.model.create({ data: { collectionId: c.id, status: "ready", config: {} } });
  await prisma.collection.update({ where: { id: c.id }, data: { activeModelId: m.id } });
  const rng = new Rng(3);
  const centres = Array.from({ length: clusters }, () => [rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)]);
  const labels = Int32Array.from({ length: n }, (_, i) => i % clusters);
  const xy = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = centres[labels[i]];
    xy[2 * i] = Math.min(1, Math.max(0, cx + 0.02 * rng.normal()));
    xy[2 * i + 1] = Math.min(1, Math.max(0, cy + 0.02 * rng.normal()));
  }
  await writeMap(m.id, { method: "pca", scales: [{ name: "coarse", m: clusters }], n, ids: Int32Array.from({ length: n }, (_, i) => i + 1), xy, labels: [labels] });
  return c.id;
}

describe("cluster explorer in Chromium", () => {
  let app: AppUnderTest;
  let collectionId: number;
  let bigId: number;
  let modelId: number;

  beforeAll(async () => {
    await useBackend("cpu");
    const blobs = unitBlobs(4, 40, 16, 0.2, 11);
    const created = await createCollection("Shapes", blobs.truth);
    collectionId = created.collectionId;
    modelId = await createModel(collectionId, created.imageIds, blobs.data, blobs.d);
    await computeClusterings(modelId, {
      options: { scales: [{ name: "coarse", m: 4 }, { name: "medium", m: 8 }, { name: "fine", m: 16 }], iterations: 10, umapEpochs: 100 },
    });
    bigId = await bigMapCollection(60_000, 40);
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("should show the cluster cards of each scale with stability, purity and NMI", async () => {
    const page = await app.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${app.url}/collections/${collectionId}/clusters`);
    await expect.poll(() => page.getByTestId("cluster-card").count()).toBe(4);
    expect(await page.getByTestId("purity").textContent()).toBe("1.000");
    expect(await page.getByTestId("nmi").textContent()).toBe("1.000");
    expect(await page.getByTestId("mean-stability").textContent()).toMatch(/^\d+%$/);
    // Representatives load as real images.
    await screenshot(page, "clusters-coarse.png");
    await page.getByRole("link", { name: /fine/i }).click();
    await expect.poll(() => page.getByTestId("cluster-card").count(), { timeout: 15_000 }).toBeGreaterThan(8);
    expect(page.url()).toContain("scale=fine");
    await screenshot(page, "clusters-fine.png");
    await page.close();
  });

  it("should open a cluster with its members and neighbours, and rename it", async () => {
    const page = await app.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${app.url}/collections/${collectionId}/clusters?scale=medium`);
    await page.getByTestId("cluster-card").first().click();
    await expect.poll(() => page.getByTestId("cluster-title").textContent(), { timeout: 15_000 }).toBe("Cluster 1");
    expect(await page.getByTestId("member").count()).toBeGreaterThan(5);
    const sims = (await page.locator("[data-testid=member] span").allTextContents()).map(Number);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
    expect(await page.locator("[data-testid=neighbours] [data-testid=cluster-card]").count()).toBe(6);
    await page.getByLabel("Cluster name").fill("Squares");
    await page.getByRole("button", { name: "Rename" }).click();
    await expect.poll(() => page.getByTestId("cluster-title").textContent(), { timeout: 15_000 }).toBe("Squares");
    await screenshot(page, "cluster-page.png");
    await page.goto(`${app.url}/collections/${collectionId}/clusters?scale=medium`);
    expect(await page.getByTestId("cluster-name").first().textContent()).toBe("Squares");
    await page.close();
  });

  it("should chart the model's local vs background density", async () => {
    const page = await app.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${app.url}/collections/${collectionId}/models/${modelId}`);
    await expect.poll(() => page.locator("[data-testid=density-chart] canvas").count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId("density-stats").textContent()).toMatch(/Local, mean ± sd0\.\d{3}/);
    expect(await page.getByTestId("density-accuracy").locator("tbody tr").count()).toBe(10);
    await screenshot(page, "model-density.png");
    await page.close();
  });

  it("should draw the map, show a thumbnail on hover and keep panning smooth at 60k points", async () => {
    const page = await app.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${app.url}/collections/${collectionId}/clusters/map?scale=coarse`);
    const canvas = page.getByTestId("cluster-map");
    await expect.poll(() => canvas.getAttribute("data-points")).toBe("160");
    // Find a drawn dot by reading the canvas, then hover it.
    const dot = await canvas.evaluate((c: HTMLCanvasElement) => {
      const { data, width } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
      for (let p = 3; p < data.length; p += 4) if (data[p] === 255) return { x: ((p - 3) / 4) % width, y: Math.floor((p - 3) / 4 / width) };
      return null;
    });
    expect(dot).not.toBeNull();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + dot!.x + 1, box.y + dot!.y + 1);
    await expect.poll(() => page.getByTestId("map-hover").isVisible()).toBe(true);
    await expect.poll(() => page.locator("[data-testid=map-hover] img").evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, "map-hover.png");

    await page.goto(`${app.url}/collections/${bigId}/clusters/map`);
    await expect.poll(() => page.getByTestId("cluster-map").getAttribute("data-points")).toBe("60000");
    const msPerFrame = await panFrameTime(page);
    console.log(`map pan at 60k points: ${msPerFrame.toFixed(1)} ms per frame; empty-page frame: ${(await idleFrameTime(page)).toFixed(1)} ms`);
    expect(msPerFrame).toBeLessThan(50);
    await screenshot(page, "map-60k.png");
    await page.close();
  });
});

/** Mean time of one animation frame while doing nothing (the machine's baseline). */
function idleFrameTime(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    await frame();
    const t0 = performance.now();
    for (let i = 0; i < 60; i++) await frame();
    return (performance.now() - t0) / 60;
  });
}

/** 60 drag steps, one per animation frame: the mean frame time the user sees while panning. */
function panFrameTime(page: Page): Promise<number> {
  return page.getByTestId("cluster-map").evaluate(async (c: HTMLCanvasElement) => {
    const r = c.getBoundingClientRect();
    const at = (x: number) => ({ clientX: r.left + x, clientY: r.top + 200, pointerId: 1, bubbles: true, buttons: 1 });
    c.dispatchEvent(new PointerEvent("pointerdown", at(100)));
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    await frame();
    const t0 = performance.now();
    for (let i = 1; i <= 60; i++) {
      c.dispatchEvent(new PointerEvent("pointermove", at(100 + 5 * i)));
      await frame();
    }
    const ms = (performance.now() - t0) / 60;
    c.dispatchEvent(new PointerEvent("pointerup", at(400)));
    return ms;
  });
}

import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshot, screenshotDir, startApp, type AppUnderTest } from "../helpers/browser";
import { activateWithIndex, createCollection, createModel, embedFiles, storeImages, syntheticImage, writeRandomEncoder } from "../integration/search/fixtures";

// A collection of 12 synthetic images with real thumbnails, indexed with a seeded random-init encoder.
describe("search page in Chromium", () => {
  let app: AppUnderTest;
  let page: Page;
  let collectionId: number;
  let untrainedId: number;
  let ids: number[];
  let originals: Buffer[];

  beforeAll(async () => {
    originals = await Promise.all(Array.from({ length: 12 }, (_, i) => syntheticImage(i + 100)));
    collectionId = await createCollection();
    ids = await storeImages(collectionId, originals);
    const modelId = await createModel(collectionId);
    const key = await writeRandomEncoder(modelId, ids.length);
    await activateWithIndex(collectionId, modelId, ids, await embedFiles(key, originals), 128);
    untrainedId = await createCollection();
    app = await startApp();
    page = await app.newPage({ viewport: { width: 1100, height: 800 } });
  });
  afterAll(async () => {
    await app?.close();
  });

  const resultIds = () => page.getByTestId("result").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-image-id"))));

  it("should show the neighbours of an image with scores and the time taken", async () => {
    await page.goto(`${app.url}/collections/${collectionId}/search?imageId=${ids[0]}`);
    await expect.poll(() => page.getByTestId("result").count()).toBe(11);
    expect(await resultIds()).not.toContain(ids[0]);
    const scores = (await page.getByTestId("score").allTextContents()).map(Number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(await page.getByTestId("timings").textContent()).toMatch(/search \d+\.\d\d ms · \d+ ms round trip/);
    const loaded = await page.locator("[data-testid=result] img").first().evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth));
    expect(loaded).toBeGreaterThan(0);
  });

  it("should search again when k and the minimum score change", async () => {
    await page.getByTestId("k-input").fill("3");
    await expect.poll(() => page.getByTestId("result").count()).toBe(3);
    await page.getByTestId("min-score-input").fill("1");
    await expect.poll(() => page.getByTestId("result").count()).toBe(0);
    await page.getByTestId("min-score-input").fill("");
    await expect.poll(() => page.getByTestId("result").count()).toBe(3);
  });

  it("should search by a chosen photo and find its original first", async () => {
    const file = path.join(screenshotDir(), "search-query.webp");
    fs.mkdirSync(screenshotDir(), { recursive: true });
    fs.writeFileSync(file, await sharp(originals[4]).webp({ quality: 70 }).toBuffer());
    await page.getByTestId("file-input").setInputFiles(file);
    await expect.poll(async () => (await resultIds())[0]).toBe(ids[4]);
    expect(await page.getByTestId("timings").textContent()).toMatch(/embedding \d+\.\d ms/);
    await expect.poll(() => page.getByTestId("query-preview").count()).toBe(1);
  });

  it("should search by a pasted image", async () => {
    const png = (await sharp(originals[7]).png().toBuffer()).toString("base64");
    await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], "pasted.png", { type: "image/png" }));
      window.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data }));
    }, png);
    await expect.poll(async () => (await resultIds())[0]).toBe(ids[7]);
  });

  it("should search for images similar to a result when its button is pressed", async () => {
    const target = (await resultIds())[1];
    await page.getByTestId("result").nth(1).getByRole("button", { name: "similar" }).click();
    await expect.poll(() => page.url()).toContain(`imageId=${target}`);
    await expect.poll(async () => (await resultIds()).includes(target)).toBe(false);
    await screenshot(page, "search.png");
  });

  it("should tell that an untrained collection cannot be searched yet, and what to do", async () => {
    await page.goto(`${app.url}/collections/${untrainedId}/search`);
    // this collection has no photos: upload comes first
    expect(await page.getByTestId("empty-state").getByRole("link", { name: "Upload photos" }).getAttribute("href")).toBe(`/collections/${untrainedId}`);
    expect(await page.getByTestId("file-input").count()).toBe(0);
  });
});

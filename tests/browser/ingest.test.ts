import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arrived, screenshot, startApp, type AppUnderTest } from "../helpers/browser";
import { makeZip } from "../helpers/zip";

const tile = (background: string, w = 240, h = 180) => sharp({ create: { width: w, height: h, channels: 3, background } }).jpeg().toBuffer();

describe("collections and upload in Chromium", () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("should create a collection, upload files and a zip through the page, and show results and the grid", async () => {
    const page = await app.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${app.url}/collections`);
    await page.getByLabel("New collection name").fill("Garden");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await arrived(page, /\/collections\/\d+$/);
    await expect.poll(() => page.getByRole("heading", { name: "Garden" }).count()).toBe(1);
    expect(await page.getByTestId("model-status").textContent()).toBe("no trained model yet");
    expect(await page.getByRole("link", { name: "Training", exact: true }).getAttribute("href")).toMatch(/\/collections\/\d+\/train$/);
    expect(await page.getByTestId("empty-state").getByRole("button", { name: "Choose photos to upload" }).count()).toBe(1);

    const zip = makeZip([
      { name: "flowers/rose.jpg", data: await tile("#d0204a") },
      { name: "flowers/tulip.jpg", data: await tile("#f0a020") },
      { name: "notes.txt", data: "not a photo" },
    ]);
    await page.getByLabel("folder names as labels").check();
    await page.getByTestId("file-input").setInputFiles([
      { name: "leaf.jpg", mimeType: "image/jpeg", buffer: await tile("#30a050") },
      { name: "sky.png", mimeType: "image/png", buffer: await sharp({ create: { width: 300, height: 200, channels: 3, background: "#3070d0" } }).png().toBuffer() },
      { name: "fake.jpg", mimeType: "image/jpeg", buffer: Buffer.from("I am text, not a JPEG") },
      { name: "leaf-again.jpg", mimeType: "image/jpeg", buffer: await tile("#30a050") },
      { name: "garden.zip", mimeType: "application/zip", buffer: zip },
    ]);
    await expect.poll(() => page.getByTestId("upload-summary").textContent(), { timeout: 30_000 }).toBe("4 stored · 1 duplicate · 2 rejected");
    expect(await page.locator('[data-file="fake.jpg"]').getAttribute("data-state")).toBe("rejected");
    expect(await page.locator('[data-file="fake.jpg"]').textContent()).toContain("not an image: the content is a text file");
    expect(await page.locator('[data-file="garden.zip"]').textContent()).toContain("2 of 3 entries stored");

    // The grid shows the four images with their thumbnails decoded.
    await expect.poll(() => page.locator("[data-image-id] img").count(), { timeout: 15_000 }).toBe(4);
    await expect
      .poll(() => page.locator("[data-image-id] img").evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)))
      .toBe(true);
    await expect.poll(() => page.getByTestId("image-count").textContent()).toBe("4");

    await screenshot(page, "ingest-collection.png");

    // Filter by label, then open an image's detail page.
    await page.getByLabel("Filter by label").selectOption("flowers");
    await expect.poll(() => page.locator("[data-image-id]").count()).toBe(2);
    await page.locator("[data-image-id]").first().click();
    await arrived(page, /\/images\/\d+$/);
    expect(await page.locator('[data-field="Label"]').textContent()).toBe("flowers");
    await expect.poll(() => page.locator("main img").evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(240);
    await screenshot(page, "ingest-image.png");

    // Rename and delete from the list page.
    await page.goto(`${app.url}/collections`);
    page.on("dialog", (d) => void d.accept());
    await page.locator('[data-collection="Garden"]').getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("Collection name", { exact: true }).fill("Backyard");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator('[data-collection="Backyard"]').count()).toBe(1);
    await screenshot(page, "ingest-collections.png");
    await page.locator('[data-collection="Backyard"]').getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.locator("[data-collection]").count()).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { screenshot, startApp, type AppUnderTest } from "../helpers/browser";
import { createFashionCollection } from "../integration/worker/fixtures";
import { waitFor } from "../integration/worker/helpers";
import { presetEpochs } from "@/lib/jobs/presets";

describe("training page in Chromium, with a real worker", () => {
  let app: AppUnderTest;
  let collectionId: number;
  beforeAll(async () => {
    collectionId = (await createFashionCollection("browser-train", 240, { batchSize: 24, m: 12, kBg: 96, clusterings: 1 })).id;
    app = await startApp({ worker: "browser-worker" });
  });
  afterAll(async () => {
    await app?.close();
    await prisma.$disconnect();
  });

  it("should start training, show live progress and the loss chart, and cancel", { timeout: 180_000 }, async () => {
    const page = await app.newPage({ viewport: { width: 1100, height: 1000 } });
    await page.goto(`${app.url}/collections/${collectionId}/train`);
    // a setting that does not fit the collection is refused with the value named
    await page.getByText("Settings", { exact: true }).click();
    await page.locator('input[name="kBg"]').fill("5000");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByTestId("settings-message").textContent()).toMatch(/kBg 5000 exceeds the collection size 240/);
    await page.locator('input[name="kBg"]').fill("96");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByTestId("settings-message").textContent()).toBe("Saved.");
    await page.getByText("Settings", { exact: true }).click();

    await page.getByLabel(/thorough/i).check();
    await page.getByTestId("start-training").click();

    // live progress over the event stream: epoch 1 of the preset's epochs steps forward, the chart fills
    const epochs = presetEpochs("thorough", 240);
    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 60_000 }).toBe("running");
    await expect.poll(() => page.getByTestId("epoch").textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^[2-9] / ${epochs}$`));
    expect(await page.getByTestId("loss").textContent()).toMatch(/^\d+\.\d{3}$/);
    expect(Number(await page.getByTestId("img-per-sec").textContent())).toBeGreaterThan(0);
    expect(await page.getByTestId("eta").textContent()).toMatch(/s$/);
    const width = await page.getByTestId("progress-bar").evaluate((el) => (el as HTMLElement).style.width);
    expect(parseFloat(width)).toBeGreaterThan(0);
    const canvas = page.getByTestId("loss-chart").locator("canvas");
    await expect.poll(() => canvas.evaluate((c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(300);
    // the chart drew something: some canvas pixels are not transparent
    const inked = await canvas.evaluate((c) => {
      const ctx = (c as HTMLCanvasElement).getContext("2d")!;
      const { data } = ctx.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    await screenshot(page, "train-progress.png");

    await page.getByTestId("cancel").click();
    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 30_000 }).toBe("cancelled");
    const job = await waitFor(() => prisma.job.findFirst({ where: { collectionId, type: "train", status: "cancelled" } }), "the train job to be cancelled");
    expect(job.epoch).toBeLessThan(60);
    expect(await prisma.job.count({ where: { collectionId, status: "cancelled" } })).toBe(3);
    await expect.poll(() => page.getByTestId("model-history").textContent()).toMatch(/cancelled/);
    await screenshot(page, "train-cancelled.png");
  });
});

import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotDir } from "../helpers/browser";
import { startServer, type RunningServer } from "../helpers/server";

describe("home page in Chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("should show the status of every component, styled", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId("health-status").textContent()).toBe("degraded");
    const checks = await page.locator("[data-check]").evaluateAll((els) =>
      els.map((e) => [e.getAttribute("data-check"), e.getAttribute("data-ok")]),
    );
    expect(Object.fromEntries(checks)).toEqual({
      Database: "true", Migrations: "true", FAISS: "true", "TensorFlow.js": "true", "Data directory": "true", Worker: "false",
    });
    // Tailwind is applied: the call-to-action has its indigo background.
    const bg = await page.getByRole("link", { name: "Open collections" }).evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(bg).not.toBe("rgba(0, 0, 0, 0)");
    fs.mkdirSync(screenshotDir(), { recursive: true });
    const file = path.join(screenshotDir(), "home.png");
    await page.screenshot({ path: file, fullPage: true });
    const stats = await sharp(file).stats();
    expect(stats.channels[0].stdev).toBeGreaterThan(5); // not a blank page
  });
});

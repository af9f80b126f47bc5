import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshot, startApp, type AppUnderTest } from "../helpers/browser";

describe("home page in Chromium", () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("should show the status of every component, styled", async () => {
    const page = await app.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(app.url);
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
    // without a worker the page says how to start one
    expect(await page.getByTestId("worker-hint").textContent()).toContain("npm run worker");
    await screenshot(page, "home.png");
  });
});

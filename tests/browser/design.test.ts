import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeClusterings } from "@/lib/clusters/cluster.service";
import { prisma } from "@/lib/db/client";
import { useBackend } from "@/lib/tf/backend";
import { DESKTOP, PHONE, screenshot, startApp, type AppUnderTest } from "../helpers/browser";
import { createCollection, createModel, unitBlobs } from "../integration/clusters/fixtures";
import { upload } from "../integration/ingest/fixtures";
import { createImages } from "../integration/search/fixtures";
import { bodyLuminance, focused, horizontalOverflow, lowContrastText } from "./audit";
import { shapePhotos } from "./fixtures";

/**
 * The design rules of the UI, checked mechanically on every page: no sideways scrolling at phone
 * width, the system's dark scheme followed with readable contrast, a skip link and visible focus for
 * keyboard users, and empty states that say what to do next. Screenshots in screenshotDir()/design/.
 */
describe("design rules in Chromium", () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
    await prisma.$disconnect();
  });

  const modes = [
    { name: "desktop-dark", viewport: DESKTOP, colorScheme: "dark" as const },
    { name: "phone-light", viewport: PHONE, colorScheme: "light" as const },
    { name: "phone-dark", viewport: PHONE, colorScheme: "dark" as const },
  ];

  /** Opens `path` in a new page of the given mode and waits for it to settle. */
  async function open(mode: (typeof modes)[number] | { viewport: typeof DESKTOP; colorScheme: "light" | "dark" }, path: string): Promise<Page> {
    const page = await app.newPage({ viewport: mode.viewport, colorScheme: mode.colorScheme });
    return visit(page, path);
  }
  /**
   * Loads `path` in `page`; the pages that fetch their data after loading (the image grid, search, the
   * map) are waited on until the network is quiet, the server-rendered rest only until loaded.
   */
  async function visit(page: Page, path: string): Promise<Page> {
    await page.goto(app.url + path);
    if (/^\/collections\/\d+(\/search.*|\/clusters\/map.*)?$/.test(path)) await page.waitForLoadState("networkidle");
    return page;
  }

  it("should invite a new user to create a collection when there is none", async () => {
    const page = await open({ viewport: DESKTOP, colorScheme: "light" }, "/collections");
    const empty = page.getByTestId("empty-state");
    expect(await empty.textContent()).toMatch(/No collections yet/);
    await empty.getByRole("button", { name: "Create your first collection" }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("New collection name");
    await page.keyboard.type("Trips");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/collections\/\d+$/);
    // an error is shown at the form that caused it, tied to its field
    await page.goto(`${app.url}/collections`);
    await page.getByLabel("New collection name").fill("Trips");
    await page.getByLabel("New collection name").press("Enter");
    const alert = page.locator("form[aria-label='New collection'] [role=alert]");
    await expect.poll(() => alert.textContent()).toBe('a collection named "Trips" already exists');
    expect(await page.getByLabel("New collection name").getAttribute("aria-describedby")).toBe(await alert.getAttribute("id"));
    expect(await page.getByLabel("New collection name").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "design/collections-error.png");
    await page.context().close();
  });

  describe("with an empty, an untrained and a trained collection", () => {
    const pages: { name: string; path: string }[] = [];
    let emptyId: number;
    let untrainedId: number;

    beforeAll(async () => {
      emptyId = (await prisma.collection.create({ data: { name: "Nothing yet", settings: {} } })).id;
      untrainedId = (await prisma.collection.create({ data: { name: "Holiday photos from the summer of 2024 at the seaside", settings: {} } })).id;
      const photos = await shapePhotos(3);
      const res = await upload(app.url, untrainedId, photos.map((p) => [p.name, p.data]));
      expect(res.status).toBe(200);
      // a trained collection: embeddings as the index, clusterings, map and density computed for real
      await useBackend("cpu");
      const blobs = unitBlobs(4, 12, 16, 0.2, 5);
      const trained = await createCollection("Colours", blobs.truth);
      const modelId = await createModel(trained.collectionId, trained.imageIds, blobs.data, blobs.d);
      await computeClusterings(modelId, { options: { scales: [{ name: "coarse", m: 4 }, { name: "fine", m: 8 }], iterations: 10, umapEpochs: 50 } });
      const cluster = await prisma.cluster.findFirstOrThrow({ where: { clustering: { modelId, scale: "coarse" } }, orderBy: { index: "asc" } });
      const t = trained.collectionId;
      const image = trained.imageIds[0];
      pages.push(
        { name: "home", path: "/" },
        { name: "collections", path: "/collections" },
        { name: "empty-collection", path: `/collections/${emptyId}` },
        { name: "empty-search", path: `/collections/${emptyId}/search` },
        { name: "untrained-images", path: `/collections/${untrainedId}` },
        { name: "untrained-search", path: `/collections/${untrainedId}/search` },
        { name: "untrained-clusters", path: `/collections/${untrainedId}/clusters` },
        { name: "untrained-map", path: `/collections/${untrainedId}/clusters/map` },
        { name: "untrained-train", path: `/collections/${untrainedId}/train` },
        { name: "trained-images", path: `/collections/${t}` },
        { name: "trained-search", path: `/collections/${t}/search?imageId=${image}` },
        { name: "trained-clusters", path: `/collections/${t}/clusters` },
        { name: "trained-cluster", path: `/collections/${t}/clusters/${cluster.id}` },
        { name: "trained-map", path: `/collections/${t}/clusters/map` },
        { name: "trained-train", path: `/collections/${t}/train` },
        { name: "trained-model", path: `/collections/${t}/models/${modelId}` },
        { name: "trained-image", path: `/collections/${t}/images/${image}` },
        { name: "not-found", path: `/collections/999999` },
      );
    });

    it("should tell what to do next, with a link or button, where there is nothing to show yet", async () => {
      const expected: [string, RegExp][] = [
        [`/collections/${emptyId}`, /Choose photos to upload/],
        [`/collections/${emptyId}/search`, /Upload photos/],
        [`/collections/${untrainedId}/search`, /Train a model/],
        [`/collections/${untrainedId}/clusters`, /Train a model/],
        [`/collections/${untrainedId}/clusters/map`, /Train a model/],
      ];
      for (const [path, action] of expected) {
        const page = await open({ viewport: DESKTOP, colorScheme: "light" }, path);
        const empty = page.getByTestId("empty-state");
        expect(await empty.count(), path).toBe(1);
        const actions = await empty.locator("a, button").allTextContents();
        expect(actions.join(" | "), path).toMatch(action);
        await page.context().close();
      }
      // the untrained collection's own page points at training, the training page at its presets
      const page = await open({ viewport: DESKTOP, colorScheme: "light" }, `/collections/${untrainedId}`);
      expect(await page.getByTestId("next-step").getByRole("link", { name: "train a model" }).getAttribute("href")).toBe(`/collections/${untrainedId}/train`);
      await page.context().close();
    });

    it("should never scroll sideways at phone width", { timeout: 180_000 }, async () => {
      const problems: string[] = [];
      for (const mode of modes.filter((m) => m.viewport === PHONE)) {
        const page = await app.newPage({ viewport: mode.viewport, colorScheme: mode.colorScheme });
        for (const p of pages) {
          await visit(page, p.path);
          if (p.name === "home") {
            // the check itself can fail: a too-wide box is caught (re-inserted if a refresh of the
            // home page's status re-rendered <main> in between)
            await expect
              .poll(async () => {
                await page.evaluate(() => document.getElementById("probe") ?? document.querySelector("main")!.insertAdjacentHTML("beforeend", '<div id="probe" style="width:600px">wide</div>'));
                return (await horizontalOverflow(page)).offenders.map((o) => o.text);
              })
              .toContain("wide");
            await page.evaluate(() => document.getElementById("probe")?.remove());
          }
          const { excess, offenders } = await horizontalOverflow(page);
          if (excess > 0) problems.push(`${mode.name} ${p.name}: ${excess}px too wide: ${JSON.stringify(offenders)}`);
          await screenshot(page, `design/${mode.name}/${p.name}.png`);
        }
        await page.context().close();
      }
      expect(problems).toEqual([]);
    });

    it("should follow a dark system theme with readable text in both themes", { timeout: 180_000 }, async () => {
      const problems: string[] = [];
      for (const colorScheme of ["dark", "light"] as const) {
        const page = await app.newPage({ viewport: DESKTOP, colorScheme });
        for (const p of pages) {
          await visit(page, p.path);
          const body = await bodyLuminance(page);
          if (colorScheme === "dark") {
            expect(body.background, `${p.name}: dark background`).toBeLessThan(0.02);
            expect(body.text, `${p.name}: light text`).toBeGreaterThan(0.8);
          } else {
            expect(body.background, `${p.name}: light background`).toBeGreaterThan(0.95);
            expect(body.text, `${p.name}: dark text`).toBeLessThan(0.02);
          }
          if (p.name === "home") {
            // the audit itself can fail: grey on grey is caught
            await page.evaluate(() => document.querySelector("main")!.insertAdjacentHTML("beforeend", '<p id="probe" style="color:#888;background:#777">probe</p>'));
            expect((await lowContrastText(page)).map((t) => t.text)).toContain("probe");
            await page.evaluate(() => document.getElementById("probe")!.remove());
          }
          for (const t of await lowContrastText(page)) problems.push(`${colorScheme} ${p.name}: "${t.text}" ${t.ratio}:1 (${t.colour} on ${t.background})`);
          if (colorScheme === "dark") await screenshot(page, `design/desktop-dark/${p.name}.png`);
        }
        await page.context().close();
      }
      expect(problems).toEqual([]);
    });

    it("should reach the skip link first, then the main navigation and the collection's tabs, with a visible focus ring", async () => {
      for (const mode of [modes[0], modes[1]]) {
        const page = await open(mode, `/collections/${untrainedId}/search`);
        await page.keyboard.press("Tab");
        const skip = await focused(page);
        expect(skip).toMatchObject({ text: "Skip to content", href: "#main", outline: true, inView: true });
        await screenshot(page, `design/${mode.name}/focus-skip-link.png`);
        // the skip link moves focus to the main content, past the navigation
        await page.keyboard.press("Enter");
        expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
        await page.keyboard.press("Tab");
        expect((await focused(page)).nav).toBeNull();

        // from the top again: the main navigation, then the collection's breadcrumb and tabs
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        await page.goto(app.url + `/collections/${untrainedId}/search`);
        const order: string[] = [];
        for (let i = 0; i < 10; i++) {
          await page.keyboard.press("Tab");
          const f = await focused(page);
          expect(f.outline, `focus ring on ${f.text}`).toBe(true);
          expect(f.inView, `${f.text} in view`).toBe(true);
          order.push(`${f.nav ?? "-"}:${f.text}`);
        }
        expect(order.slice(0, 3)).toEqual(["-:Skip to content", "Main:LA Search", "Main:Collections"]);
        const tabs = order.filter((o) => o.startsWith("Collection ")).map((o) => o.split(":")[1]);
        expect(tabs).toEqual(["Images", "Search", "Clusters", "Map", "Training"]);
        await screenshot(page, `design/${mode.name}/focus-tabs.png`);
        // Enter on a focused tab opens it
        await page.keyboard.press("Enter");
        await page.waitForURL(/\/train$/);
        await page.context().close();
      }
    });

    it("should draw a whole focus ring on every stop of the busiest pages", async () => {
      const problems: string[] = [];
      for (const colorScheme of ["light", "dark"] as const) {
        const page = await app.newPage({ viewport: DESKTOP, colorScheme });
        for (const name of ["trained-images", "trained-search", "trained-clusters", "trained-cluster", "trained-map", "trained-train", "trained-image"]) {
          await visit(page, pages.find((p) => p.name === name)!.path);
          for (let i = 0; i < 45; i++) {
            await page.keyboard.press("Tab");
            const f = await focused(page);
            if (f.tag === "body") break;
            if (!f.outline || !f.inView) problems.push(`${colorScheme} ${name} stop ${i}: ${f.tag} "${f.text.slice(0, 40)}" outline ${f.outline} in view ${f.inView}`);
          }
        }
        await page.context().close();
      }
      expect(problems).toEqual([]);
    });

    it("should keep a big collection's grid light: the page scrolls, only rows near the view are drawn, more load on the way down", async () => {
      const big = (await prisma.collection.create({ data: { name: "Big", settings: {} } })).id;
      await createImages(big, 3000, "big-"); // rows only: the thumbnails answer 404, which this test does not look at
      const page = await open({ viewport: DESKTOP, colorScheme: "light" }, `/collections/${big}`);
      await expect.poll(() => page.getByTestId("grid-count").textContent()).toBe("200+ shown");
      const tiles = () => page.locator("[data-image-id]").count();
      expect(await tiles()).toBeLessThan(150);
      for (let i = 0; i < 40 && (await page.getByTestId("grid-count").textContent()) === "200+ shown"; i++) await page.mouse.wheel(0, 2000);
      await expect.poll(() => page.getByTestId("grid-count").textContent()).toMatch(/^[4-9]00\+ shown$/);
      expect(await tiles()).toBeLessThan(150);
      expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(2000); // the window scrolled, not a box inside it
      await page.context().close();
    });

    it("should let the keyboard do what the mouse does: rename a collection, pick a preset, open the file chooser", async () => {
      const page = await open({ viewport: DESKTOP, colorScheme: "light" }, "/collections");
      const row = page.locator('[data-collection="Nothing yet"]');
      await row.getByRole("button", { name: "Rename" }).focus();
      await page.keyboard.press("Enter");
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Collection name");
      await page.keyboard.press("Escape"); // cancels
      expect(await page.locator('[data-collection="Nothing yet"] input').count()).toBe(0);
      await row.getByRole("button", { name: "Rename" }).focus();
      await page.keyboard.press("Enter");
      await page.keyboard.press("ControlOrMeta+a");
      await page.keyboard.type("Still nothing");
      await page.keyboard.press("Enter");
      await expect.poll(() => page.locator('[data-collection="Still nothing"]').count()).toBe(1);

      // presets are radio buttons: arrows move the choice
      await page.goto(`${app.url}/collections/${untrainedId}/train`);
      await page.getByLabel(/quick/i).focus();
      await page.keyboard.press("ArrowRight");
      expect(await page.getByLabel(/standard/i).isChecked()).toBe(true);

      // the map pans and zooms from the keyboard
      const trainedMap = pages.find((p) => p.name === "trained-map")!.path;
      await visit(page, trainedMap);
      const canvas = page.getByTestId("cluster-map");
      await expect.poll(() => canvas.getAttribute("data-points")).toBe("48");
      const ink = () => canvas.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let hash = 0; // where the dots are
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) hash = (hash * 31 + i) % 1_000_000_007;
        return hash;
      });
      const before = await ink();
      await canvas.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press("+");
      await expect.poll(ink).not.toBe(before); // zoomed in: the dots moved apart
      await page.keyboard.press("0");
      await expect.poll(ink).toBe(before);

      // the upload button and the search drop zone open the file chooser from the keyboard
      await visit(page, `/collections/${untrainedId}`);
      await page.getByTestId("file-input").focus();
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("file-input");
      const chooser = page.waitForEvent("filechooser", { timeout: 5_000 });
      await page.keyboard.press("Space");
      expect((await chooser).isMultiple()).toBe(true);
      await page.context().close();
    });
  });
});

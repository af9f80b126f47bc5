import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { expect } from "vitest";
import { spawnWorker, type WorkerProcess } from "../integration/worker/helpers";
import { startServer, type RunningServer } from "./server";

/** Debian's Chromium, headless, with every outside lookup blocked (STACK.md, gotchas 14-15). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
    ],
  });
}

/** Where screenshots go (SCREENSHOT_DIR, default ./test-results). */
export function screenshotDir(): string {
  return process.env.SCREENSHOT_DIR || "test-results";
}

/** A desktop window, the size most screenshots are taken at. */
export const DESKTOP = { width: 1280, height: 900 };
/** An iPhone 12-14 sized window (CSS pixels). */
export const PHONE = { width: 390, height: 844 };

export interface AppUnderTest {
  /** The real `next start` (base URL in `url`). */
  server: RunningServer;
  url: string;
  browser: Browser;
  /** The real worker process, when `worker` was asked for. */
  worker: WorkerProcess | null;
  /**
   * A page in a fresh browser context (its own cookies, colour scheme and viewport; desktop size
   * unless told otherwise), closed by `close()`.
   */
  newPage: (options?: BrowserContextOptions) => Promise<Page>;
  /** Closes every context, the browser, the server and the worker. */
  close: () => Promise<void>;
}

export interface AppOptions {
  /** Start a worker with this id (LA_WORKER_ID) alongside the server. */
  worker?: string;
  workerEnv?: Record<string, string>;
  serverEnv?: Record<string, string | undefined>;
}

/**
 * The whole app for a browser test: the production server on this test file's data directory, an
 * optional real worker process, and Debian's Chromium, started side by side. Call `close()` in afterAll.
 */
export async function startApp(options: AppOptions = {}): Promise<AppUnderTest> {
  const worker = options.worker ? spawnWorker(options.worker, options.workerEnv) : null;
  const contexts: BrowserContext[] = [];
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await server?.stop();
    await stopWorker(worker);
  };
  try {
    [server, browser] = await Promise.all([startServer(options.serverEnv), launchBrowser()]);
  } catch (e) {
    await close();
    throw e;
  }
  const b = browser;
  return {
    server,
    url: server.url,
    browser: b,
    worker,
    newPage: async (contextOptions = {}) => {
      // reduced motion: no CSS transitions half-way through in a screenshot
      const context = await b.newContext({ viewport: DESKTOP, reducedMotion: "reduce", ...contextOptions });
      contexts.push(context);
      return context.newPage();
    },
    close,
  };
}

/** SIGTERM (the worker finishes its step and exits), SIGKILL if it has not gone within 10 s. */
async function stopWorker(worker: WorkerProcess | null): Promise<void> {
  if (!worker) return;
  const timer = setTimeout(() => void worker.stop("SIGKILL"), 10_000);
  await worker.stop("SIGTERM");
  clearTimeout(timer);
}

/**
 * A full-page screenshot at screenshotDir()/name (sub-folders allowed), checked not to be blank.
 * Waits for the page's images to finish loading first (thumbnails are lazy and the server is busy).
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  await rendered(page);
  await imagesLoaded(page);
  const file = path.join(screenshotDir(), name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  expect((await sharp(file).stats()).channels[0].stdev, `${name} is not a blank page`).toBeGreaterThan(5);
  return file;
}

/**
 * Waits for the URL and for the page behind it: a client-side navigation changes the URL first and
 * shows loading.tsx (aria-busy) until the server has rendered the page.
 */
export async function arrived(page: Page, url: RegExp): Promise<void> {
  await page.waitForURL(url);
  await rendered(page);
}

async function rendered(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout: 15_000 });
}

/** Waits until every eager image of the page, and every lazy one in view, has loaded. */
export async function imagesLoaded(page: Page, timeout = 15_000): Promise<void> {
  await expect
    .poll(
      () =>
        page.locator("img").evaluateAll((imgs) =>
          imgs.every((el) => {
            const img = el as HTMLImageElement;
            const r = img.getBoundingClientRect();
            const offscreen = img.loading === "lazy" && (r.top > innerHeight * 2 || r.bottom < 0 || r.width === 0);
            return offscreen || (img.complete && img.naturalWidth > 0);
          }),
        ),
      { timeout },
    )
    .toBe(true);
}

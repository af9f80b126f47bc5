import { chromium, type Browser } from "playwright-core";

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

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../helpers/server";

const TOKEN = "test-token-0123456789abcdef";

/** Every route handler in app/api with its exported methods, dynamic segments filled with 1. */
function apiRoutes(): { url: string; method: string }[] {
  const found: { url: string; method: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const url = "/" + path.relative("app", dir).replace(/\[\.\.\.[^\]]+\]/g, "1/2").replace(/\[[^\]]+\]/g, "1");
        const source = fs.readFileSync(full, "utf8");
        for (const m of source.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)) {
          found.push({ url, method: m[1] });
        }
      }
    }
  };
  walk("app/api");
  return found;
}

describe("access control with LA_AUTH_TOKEN", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ LA_AUTH_TOKEN: TOKEN });
  });
  afterAll(() => server?.stop());

  const login = (token: string, origin = server.url) =>
    fetch(`${server.url}/api/auth/login`, {
      method: "POST", redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin },
      body: new URLSearchParams({ token, next: "/collections" }),
    });

  it("should answer 401 on every API route without a session or token", async () => {
    const routes = apiRoutes().filter((r) => r.url !== "/api/auth/login");
    expect(routes).toContainEqual({ url: "/api/health", method: "GET" });
    for (const r of routes) {
      const res = await fetch(server.url + r.url, { method: r.method, redirect: "manual", headers: { origin: server.url } });
      expect({ ...r, status: res.status }).toEqual({ ...r, status: 401 });
      expect((await res.json()).error).toMatch(/authentication required/);
    }
  });

  it("should send pages to the login form, and accept a Bearer token", async () => {
    const page = await fetch(`${server.url}/collections`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Fcollections");
    expect((await fetch(`${server.url}/api/health`, { headers: { authorization: "Bearer wrong-token" } })).status).toBe(401);
    const ok = await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([200, 503]).toContain(ok.status); // 503: no worker runs in this test; what matters is "not 401"
    expect((await ok.json()).database.ok).toBe(true);
  });

  it("should set an HttpOnly SameSite cookie at login, a new one each time, and refuse a wrong token", async () => {
    const wrong = await login("not-the-token-at-all");
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toMatch(/^\/login\?error=1/);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const [a, b] = [await login(TOKEN), await login(TOKEN)];
    expect(a.headers.get("location")).toBe("/collections");
    const cookieA = a.headers.get("set-cookie")!;
    expect(cookieA).toMatch(/HttpOnly/);
    expect(cookieA).toMatch(/SameSite=Lax/);
    expect(cookieA.split(";")[0]).not.toBe(b.headers.get("set-cookie")!.split(";")[0]);
    const session = cookieA.split(";")[0];
    expect((await fetch(`${server.url}/api/health`, { headers: { cookie: session } })).status).not.toBe(401);
    const forged = session.slice(0, -2) + (session.endsWith("A") ? "BB" : "AA");
    expect((await fetch(`${server.url}/api/health`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it("should refuse cross-site state changes made with a session cookie, and cross-site logins", async () => {
    const session = (await login(TOKEN)).headers.get("set-cookie")!.split(";")[0];
    const cross = await fetch(`${server.url}/api/auth/logout`, {
      method: "POST", redirect: "manual", headers: { cookie: session, origin: "http://evil.example" },
    });
    expect(cross.status).toBe(403);
    expect((await fetch(`${server.url}/api/auth/logout`, { method: "POST", redirect: "manual", headers: { cookie: session } })).status).toBe(403);
    const same = await fetch(`${server.url}/api/auth/logout`, {
      method: "POST", redirect: "manual", headers: { cookie: session, origin: server.url },
    });
    expect(same.status).toBe(303);
    expect(same.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await login(TOKEN, "http://evil.example")).status).toBe(403);
  });
});

describe("without LA_AUTH_TOKEN", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ LA_AUTH_TOKEN: "" });
  });
  afterAll(() => server?.stop());

  it("should serve without a login but still refuse a browser's cross-site state change", async () => {
    expect((await fetch(`${server.url}/api/health`)).status).not.toBe(401);
    const post = (origin?: string) =>
      fetch(`${server.url}/api/auth/logout`, { method: "POST", redirect: "manual", headers: origin ? { origin } : {} });
    expect((await post("http://evil.example")).status).toBe(403);
    expect((await post(server.url)).status).toBe(303);
    expect((await post()).status).toBe(303); // scripts and curl send no Origin
  });
});

import fs from "node:fs";
import path from "node:path";
import { validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../helpers/server";

const TOKEN = "openapi-token-0123456789";
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string }> };
}

/** "METHOD /api/path/{param}" for every exported handler of every app/api route.ts. */
function routeHandlers(): string[] {
  const found: string[] = [];
  for (const file of fs.readdirSync("app/api", { recursive: true }) as string[]) {
    if (path.basename(file) !== "route.ts") continue;
    const template = "/api/" + path.dirname(file).split(path.sep).map((s) => s.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
    const source = fs.readFileSync(path.join("app/api", file), "utf8");
    for (const m of source.matchAll(/export (?:const|async function|function) (\w+)\b/g)) {
      if ((METHODS as readonly string[]).includes(m[1])) found.push(`${m[1]} ${template}`);
    }
  }
  return found.sort();
}

const documented = (doc: Doc) =>
  Object.entries(doc.paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    .sort();

describe("GET /api/openapi.json on a real next start", () => {
  let server: RunningServer;
  let doc: Doc;

  beforeAll(async () => {
    server = await startServer({ LA_AUTH_TOKEN: TOKEN });
  });
  afterAll(() => server?.stop());

  it("should be protected like every other API route", async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/authentication required/);
  });

  it("should serve a valid OpenAPI 3.1 document", async () => {
    const res = await fetch(`${server.url}/api/openapi.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    doc = await res.json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await validate(structuredClone(doc) as never);
    expect(result).toMatchObject({ valid: true, specification: "OpenAPI" });
  });

  it("should be checked by a validator that does reject a broken document", async () => {
    const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    broken.paths["/api/health"].get.responses["200"] = { description: "x", content: { "application/json": { schema: { $ref: "#/components/schemas/Nope" } } } };
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it("should list exactly the route handlers under app/api, each with its method", () => {
    const handlers = routeHandlers();
    expect(handlers).toContain("POST /api/collections/{id}/images");
    expect(handlers).toContain("GET /api/openapi.json");
    expect(documented(doc)).toEqual(handlers);
  });

  it("should declare bearer and cookie security, and a 401 on every operation but the login", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: "apiKey", in: "cookie" });
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        if (p === "/api/auth/login") expect(op.security).toEqual([]);
        else expect({ op: `${m} ${p}`, has401: "401" in op.responses }).toEqual({ op: `${m} ${p}`, has401: true });
      }
    }
  });

  it("should describe request bodies with the schemas the routes validate with", async () => {
    const ops = doc.paths as unknown as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
    const search = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown>; additionalProperties?: boolean }> } }).components.schemas;
    expect(search.SearchParams.properties.k).toEqual({ default: 20, type: "integer", minimum: 1, maximum: 200 });
    expect(search.SearchParams.additionalProperties).toBe(false);
    expect(search.StartTraining.properties.preset).toEqual({ type: "string", enum: ["quick", "standard", "thorough"] });
    expect(Object.keys(ops["/api/collections/{id}/images"].post.requestBody!.content)).toEqual(["multipart/form-data"]);
    // What the document says is refused, the server refuses: an unknown training field and an out-of-range k.
    const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const train = await fetch(`${server.url}/api/collections/1/train`, { method: "POST", headers: auth, body: JSON.stringify({ colour: "red" }) });
    expect(train.status).toBe(422);
    expect((await train.json()).error).toMatch(/unknown field\(s\): colour/);
    const k = await fetch(`${server.url}/api/collections/1/search`, { method: "POST", headers: auth, body: JSON.stringify({ imageId: 1, k: 201 }) });
    expect(k.status).toBe(422);
    expect((await k.json()).error).toMatch(/^k: /);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startServer, type RunningServer } from "../helpers/server";

describe("GET /api/health on a real next start", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    await prisma.$disconnect();
  });

  it("should report every component, and 503 while no worker has a heartbeat", async () => {
    const res = await fetch(`${server.url}/api/health`);
    const body = await res.json();
    expect(res.status).toBe(503);
    expect(body.status).toBe("degraded");
    expect(body.database.ok).toBe(true);
    expect(body.migrations).toMatchObject({ ok: true, applied: body.migrations.expected });
    expect(body.migrations.expected).toBeGreaterThan(0);
    expect(body.faiss.ok).toBe(true);
    // The bundler must not break the path to the .wasm files (else TF.js silently runs on "cpu").
    expect(body.tfjs).toMatchObject({ ok: true, backend: "wasm" });
    expect(body.tfjs.customKernels).toContain("Conv2DBackpropFilter");
    expect(body.tfjs.nativeKernels).toBe(true); // the server found and loaded native/kernels
    expect(body.dataDir).toMatchObject({ ok: true, path: process.env.LA_DATA_DIR });
    expect(body.worker).toMatchObject({ ok: false, heartbeatAgeSeconds: null });
  });

  it("should be 200 once a worker heartbeat is fresh, and report its age", async () => {
    await prisma.worker.create({ data: { id: "test-worker", hostname: "h", pid: 1, lastSeenAt: new Date(Date.now() - 2000) } });
    const res = await fetch(`${server.url}/api/health`);
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.worker.ok).toBe(true);
    expect(body.worker.heartbeatAgeSeconds).toBeGreaterThanOrEqual(2);
    expect(body.worker.heartbeatAgeSeconds).toBeLessThan(30);
  });
});

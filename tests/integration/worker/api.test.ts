import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { startTraining } from "@/lib/jobs/training.service";
import { startServer, type RunningServer } from "../../helpers/server";
import { createFashionCollection } from "./fixtures";

// No worker runs here: queued chains stay queued, which is what the 409 and cancel cases need.
describe("training API on a real next start", () => {
  let server: RunningServer;
  let collectionId: number;
  beforeAll(async () => {
    collectionId = (await createFashionCollection("api-fashion", 60)).id;
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    await prisma.$disconnect();
  });
  const api = (path: string, init?: RequestInit) =>
    fetch(`${server.url}${path}`, { ...init, headers: { "content-type": "application/json", origin: server.url, ...init?.headers } });

  it("should show and validate settings, with clear errors", async () => {
    const got = await (await api(`/api/collections/${collectionId}/settings`)).json();
    expect(got).toMatchObject({ imageCount: 60, settings: { resolution: 28, channels: 1 }, defaultPreset: "quick" });
    expect(got.presets.map((p: { name: string }) => p.name)).toEqual(["quick", "standard", "thorough"]);

    const tooBig = await api(`/api/collections/${collectionId}/settings`, { method: "PUT", body: JSON.stringify({ kBg: 100 }) });
    expect(tooBig.status).toBe(422);
    expect((await tooBig.json()).error).toMatch(/kBg 100 exceeds the collection size 60/);
    expect((await api(`/api/collections/${collectionId}/settings`, { method: "PUT", body: JSON.stringify({ bogus: 1 }) })).status).toBe(422);
    const sideways = await api(`/api/collections/${collectionId}/settings`, { method: "PUT", body: JSON.stringify({ clusterOn: "sideways" }) });
    expect(sideways.status).toBe(422);
    expect((await sideways.json()).error).toMatch(/clusterOn/);

    // The chain below then trains with LA clustering fresh embeddings.
    const ok = await api(`/api/collections/${collectionId}/settings`, { method: "PUT", body: JSON.stringify({ kBg: 40, m: 5, batchSize: 30, clusterOn: "embeddings" }) });
    expect(ok.status).toBe(200);
    expect((await ok.json()).resolved).toMatchObject({ kBg: 40, m: 5, batchSize: 30, resolution: 28, clusterOn: "embeddings" });
  });

  it("should queue the chain (202), refuse a second one (409), stream and cancel it", async () => {
    expect((await api(`/api/collections/${collectionId}/train`, { method: "POST", body: JSON.stringify({ preset: "fast" }) })).status).toBe(422);
    const res = await api(`/api/collections/${collectionId}/train`, { method: "POST", body: JSON.stringify({ preset: "quick" }) });
    expect(res.status).toBe(202);
    const chain = await res.json();
    expect(chain.jobs.map((j: { type: string }) => j.type)).toEqual(["train", "index", "cluster"]);
    expect((await api(`/api/collections/${collectionId}/train`, { method: "POST", body: "{}" })).status).toBe(409);

    const trainId = chain.jobs[0].id;
    expect(await (await api(`/api/jobs/${trainId}`)).json()).toMatchObject({ id: trainId, status: "queued", epochs: null });
    const events = await api(`/api/jobs/${trainId}/events`);
    expect(events.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: job\ndata: \{"id":/);

    const cancel = await api(`/api/jobs/${trainId}/cancel`, { method: "POST" });
    expect((await cancel.json()).status).toBe("cancelled");
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toMatch(/event: end\ndata: \{"id":\d+.*"status":"cancelled"/);

    const jobs = (await (await api(`/api/collections/${collectionId}/jobs`)).json()).jobs;
    expect(jobs.map((j: { status: string }) => j.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    const models = await (await api(`/api/collections/${collectionId}/models`)).json();
    expect(models.models[0]).toMatchObject({ id: chain.modelId, status: "cancelled", active: false });
    expect((await api(`/api/jobs/999999`)).status).toBe(404);
  });

  it("should queue exactly one chain when starts race, from the server and from another process", async () => {
    const overHttp = Array.from({ length: 6 }, () => api(`/api/collections/${collectionId}/train`, { method: "POST", body: "{}" }).then((r) => r.status));
    const inProcess = Array.from({ length: 3 }, () => startTraining(collectionId).then(() => 202, (e: Error) => (e.name === "ConflictError" ? 409 : e.message)));
    const statuses = await Promise.all([...overHttp, ...inProcess]);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(statuses.length - 1);
    expect(await prisma.job.count({ where: { collectionId, status: "queued" } })).toBe(3);
  });
});

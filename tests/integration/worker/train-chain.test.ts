import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { mapKey } from "@/lib/clusters/map-file";
import { prisma } from "@/lib/db/client";
import { startTraining } from "@/lib/jobs/training.service";
import { listModels } from "@/lib/models/model.service";
import { keys, resolveKey } from "@/lib/storage";
import { indexOptions, VectorIndex } from "@/lib/vector";
import { enqueueIndexAppend } from "@/lib/jobs/index-updater";
import { cancelJob } from "@/lib/jobs/job.service";
import { getModelHistory } from "@/lib/models/model.service";
import { addFashionImages, createFashionCollection } from "./fixtures";
import { jobRow, spawnWorker, waitFor, type WorkerProcess } from "./helpers";

const N = 240;
// tiny on purpose: the machine has two cores
const SETTINGS = { batchSize: 48, warmupEpochs: 1, m: 12, kBg: 96, clusterings: 2 };

const workers: WorkerProcess[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop("SIGKILL")));
  await prisma.$disconnect();
});

const chainDone = (ids: number[]) =>
  waitFor(async () => {
    const rows = await prisma.job.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    if (rows.some((r) => r.status === "failed" || r.status === "cancelled")) throw new Error(`chain ended badly: ${JSON.stringify(rows.map((r) => [r.type, r.status, r.error]))}`);
    return rows.every((r) => r.status === "succeeded") ? rows : null;
  }, "the chain to finish", 240_000, 250);

describe("train -> index -> cluster through a real worker process", () => {
  let collectionId: number;
  let firstModelId: number;

  it("should train a small collection to an active model with an index and clusters", { timeout: 240_000 }, async () => {
    collectionId = (await createFashionCollection("fashion", N, SETTINGS)).id;
    const chain = await startTraining(collectionId, { epochs: 2 });
    firstModelId = chain.modelId;
    workers.push(spawnWorker("chain-worker"));
    const [trainJob, , clusterJob] = await chainDone(chain.jobs.map((j) => j.id));
    expect(trainJob).toMatchObject({ type: "train", epoch: 2, epochs: 2, resumedFromEpoch: 0, attempts: 1 });

    const collection = await prisma.collection.findUniqueOrThrow({ where: { id: collectionId } });
    expect(collection.activeModelId).toBe(chain.modelId);
    const [model] = await listModels(collectionId);
    expect(model).toMatchObject({ id: chain.modelId, status: "ready", active: true, imageCount: N });
    expect(model.metrics.finalLoss).toBeGreaterThan(0);
    expect(model.metrics.imgPerSec).toBeGreaterThan(0);
    console.log("first model metrics", JSON.stringify(model.metrics));

    expect(fs.existsSync(resolveKey(keys.index(chain.modelId)))).toBe(true);
    const index = await VectorIndex.load(chain.modelId, indexOptions());
    expect(index.size).toBe(N);
    const someId = (await prisma.image.findFirstOrThrow({ where: { collectionId } })).id;
    const [hits] = index.search(index.vectorOf(someId)!, { k: 3 });
    expect(hits[0].imageId).toBe(someId);

    // the default scales of 240 images, each with a strongest (rank 0) membership for every indexed image
    const clusterings = await prisma.clustering.findMany({ where: { modelId: chain.modelId }, include: { clusters: true }, orderBy: { m: "asc" } });
    expect(clusterings.map((c) => c.scale)).toEqual(["coarse", "medium", "fine"]);
    const indexed = (await prisma.image.findMany({ where: { collectionId }, select: { id: true } })).map((r) => r.id).sort((a, b) => a - b);
    for (const c of clusterings) {
      expect(c.clusters.reduce((s, cl) => s + cl.size, 0)).toBe(N);
      expect(c.clusters.every((cl) => (cl.representativeIds as number[]).length > 0)).toBe(true);
      const strongest = await prisma.membership.findMany({ where: { rank: 0, cluster: { clusteringId: c.id } }, select: { imageId: true } });
      expect(strongest.map((r) => r.imageId).sort((a, b) => a - b)).toEqual(indexed);
    }
    expect(clusterJob.result).toEqual({ outcome: "success", images: N, scales: clusterings.map((c) => ({ scale: c.scale, m: c.m })) });
    expect(clusterJob).toMatchObject({ phase: "done", step: 100, steps: 100 });
    expect((await listModels(collectionId))[0].metrics).toMatchObject({ finalLoss: model.metrics.finalLoss, clusters: clusterings.map((c) => ({ scale: c.scale, m: c.m })) });
    expect(fs.existsSync(resolveKey(mapKey(chain.modelId)))).toBe(true);
    expect(await prisma.jobMetric.count({ where: { jobId: trainJob.id } })).toBeGreaterThan(0);
  });

  it("should resume from the last epoch checkpoint after kill -9 mid-epoch, keeping the old index servable", { timeout: 300_000 }, async () => {
    const chain = await startTraining(collectionId, { epochs: 4 });
    const trainId = chain.jobs[0].id;
    // mid-epoch 3: two epochs are checkpointed
    await waitFor(async () => {
      const j = await jobRow(trainId);
      return (j.epoch ?? 0) >= 3 && (j.step ?? 0) >= 1;
    }, "training to reach its third epoch", 120_000, 50);
    const killed = workers[0];
    expect(await killed.stop("SIGKILL")).not.toBe(0);
    expect(await jobRow(trainId)).toMatchObject({ status: "running", leaseOwner: "chain-worker" });
    // the active model and its index are untouched while the new one is unfinished
    expect((await prisma.collection.findUniqueOrThrow({ where: { id: collectionId } })).activeModelId).toBe(firstModelId);
    expect((await VectorIndex.load(firstModelId, indexOptions())).size).toBe(N);

    // same worker id: the restarted worker takes its job back at once instead of waiting for the lease
    workers.push(spawnWorker("chain-worker"));
    const [trainJob] = await chainDone(chain.jobs.map((j) => j.id));
    expect(trainJob.attempts).toBe(2);
    expect(trainJob.resumedFromEpoch).toBeGreaterThanOrEqual(2);
    expect((await prisma.collection.findUniqueOrThrow({ where: { id: collectionId } })).activeModelId).toBe(chain.modelId);
    const models = await listModels(collectionId);
    expect(models.map((m) => [m.id, m.status, m.active])).toEqual([
      [chain.modelId, "ready", true],
      [firstModelId, "ready", false],
    ]);
  });

  it("should add new images to the active index at once, then fine-tune from the active model", { timeout: 240_000 }, async () => {
    const active = (await prisma.collection.findUniqueOrThrow({ where: { id: collectionId } })).activeModelId!;
    const added = await addFashionImages(collectionId, N, N + 30);
    const appendId = (await enqueueIndexAppend(collectionId, added))!;
    const append = await waitFor(async () => {
      const j = await jobRow(appendId);
      return j.status === "succeeded" ? j : null;
    }, "index.append to finish", 60_000);
    expect(append.result).toMatchObject({ outcome: "success", modelId: active, appended: 30, total: N + 30 });
    const index = await VectorIndex.load(active, indexOptions());
    expect(added.every((id) => index.has(id))).toBe(true);

    const history = await getModelHistory(collectionId);
    expect(history).toMatchObject({ activeModelId: active, newImagesSinceActive: 30, finetuneOffered: true });
    const chain = await startTraining(collectionId, { finetune: true, epochs: 1 });
    expect(chain.jobs.map((j) => j.type)).toEqual(["finetune", "index", "cluster"]);
    const [ft] = await chainDone(chain.jobs.map((j) => j.id));
    expect(ft.resumedFromEpoch).toBe(0);
    const [model] = await listModels(collectionId);
    expect(model).toMatchObject({ id: chain.modelId, parentId: active, status: "ready", active: true, imageCount: N + 30 });
    expect((await VectorIndex.load(chain.modelId, indexOptions())).size).toBe(N + 30);
  });

  it("should checkpoint and requeue a training on SIGTERM, resume it after restart, and cancel it", { timeout: 180_000 }, async () => {
    // An epoch of N = 240 is two steps: with 4 epochs the resumed job could end before its next
    // heartbeat saw the cancel (likely why this timed out once under load). A cancelled job never runs 40.
    const chain = await startTraining(collectionId, { epochs: 40 });
    const trainId = chain.jobs[0].id;
    await waitFor(async () => ((await jobRow(trainId)).epoch ?? 0) >= 2, "training to reach its second epoch", 120_000, 50);
    const w = workers.at(-1)!;
    expect(await w.stop("SIGTERM")).toBe(0);
    const stopped = await jobRow(trainId);
    expect(stopped).toMatchObject({ status: "queued", attempts: 0, leaseOwner: null });
    expect(w.lines().some((l) => l.msg === "job handed back to the queue (shutdown)")).toBe(true);

    workers.push(spawnWorker("chain-worker-2"));
    const resumed = await waitFor(async () => {
      const j = await jobRow(trainId);
      return j.status === "running" && j.resumedFromEpoch !== null ? j : null;
    }, "the training to resume", 60_000, 50);
    expect(resumed.resumedFromEpoch).toBeGreaterThanOrEqual(1);
    await cancelJob(trainId);
    await waitFor(async () => (await jobRow(trainId)).status === "cancelled", "the training to be cancelled", 30_000).catch(async (e: Error) => {
      // seen once under load: say what the job and the worker were doing
      throw new Error(`${e.message}\njob: ${JSON.stringify(await jobRow(trainId))}\nworker log:\n${workers.at(-1)!.output().slice(-6000)}`);
    });
    expect((await listModels(collectionId))[0]).toMatchObject({ id: chain.modelId, status: "cancelled", active: false });
    expect((await prisma.job.findMany({ where: { id: { in: chain.jobs.map((j) => j.id) } } })).map((j) => j.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
  });
});

import { afterAll, afterEach, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { cancelJob } from "@/lib/jobs/job.service";
import { claimNextJob, enqueueChain, enqueueJob, requeueExpiredLeases } from "@/lib/jobs/queue";
import { jobRow, spawnWorker, waitFor, type WorkerProcess } from "./helpers";

const workers: WorkerProcess[] = [];
const start = (id: string, env: Record<string, string> = {}) => {
  const w = spawnWorker(id, env);
  workers.push(w);
  return w;
};

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
  await prisma.job.deleteMany();
});
afterAll(() => prisma.$disconnect());

describe("job queue with real worker processes", () => {
  it("should run every job exactly once with two workers taking jobs at the same time", async () => {
    const jobs = await Promise.all(Array.from({ length: 40 }, () => enqueueJob({ type: "sleep", payload: { steps: 1, stepMs: 20 } })));
    const [a, b] = [start("worker-a"), start("worker-b")];
    await waitFor(async () => (await prisma.job.count({ where: { status: "succeeded" } })) === jobs.length, "all jobs to succeed", 90_000);
    const rows = await prisma.job.findMany();
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    // every "job started" line of both workers, per job: exactly one
    const starts = [...a.lines(), ...b.lines()].filter((l) => l.msg === "job started").map((l) => l.jobId as number);
    expect(starts.sort((x, y) => x - y)).toEqual(jobs.map((j) => j.id).sort((x, y) => x - y));
    const ranBy = new Set(rows.map((r) => (r.result as { ranBy: string }).ranBy));
    expect(ranBy).toEqual(new Set(["worker-a", "worker-b"]));
  });

  it("should end a job that keeps throwing as failed, with its error, after maxAttempts", async () => {
    const job = await enqueueJob({ type: "sleep", payload: { throwMessage: "disk on fire" }, maxAttempts: 2 });
    start("worker-fail");
    const row = await waitFor(async () => {
      const r = await jobRow(job.id);
      return r.status === "failed" ? r : null;
    }, "the job to fail", 30_000);
    expect(row).toMatchObject({ attempts: 2, error: "disk on fire" });
  });

  it("should give a job whose lease expired back to the queue and run it again", async () => {
    const job = await enqueueJob({ type: "sleep", payload: { steps: 1 } });
    await prisma.job.update({
      where: { id: job.id },
      data: { status: "running", attempts: 1, leaseOwner: "dead-worker", leaseExpiresAt: new Date(Date.now() - 1000) },
    });
    start("worker-rescue");
    const row = await waitFor(async () => {
      const r = await jobRow(job.id);
      return r.status === "succeeded" ? r : null;
    }, "the requeued job to succeed", 30_000);
    expect(row.attempts).toBe(2);
    expect(row.result).toMatchObject({ ranBy: "worker-rescue" });
  });

  it("should stop a running job at its next step when cancelled, and cancel the jobs waiting on it", async () => {
    const [first, second] = await enqueueChain([
      { type: "sleep", payload: { steps: 600, stepMs: 50 } },
      { type: "sleep", payload: { steps: 1 } },
    ]);
    start("worker-cancel");
    await waitFor(async () => ((await jobRow(first.id)).step ?? 0) > 0, "the job to make progress", 30_000);
    await cancelJob(first.id);
    const row = await waitFor(async () => {
      const r = await jobRow(first.id);
      return r.status === "cancelled" ? r : null;
    }, "the job to be cancelled", 10_000);
    expect(row.step).toBeLessThan(600);
    expect((await jobRow(second.id)).status).toBe("cancelled");
  });

  it("should hand the running job back to the queue on SIGTERM, without counting the attempt", async () => {
    const job = await enqueueJob({ type: "sleep", payload: { steps: 600, stepMs: 50 } });
    const w = start("worker-term");
    await waitFor(async () => ((await jobRow(job.id)).step ?? 0) > 0, "the job to make progress", 30_000);
    expect(await w.stop("SIGTERM")).toBe(0);
    expect(await jobRow(job.id)).toMatchObject({ status: "queued", attempts: 0, leaseOwner: null });
  });
});

describe("claimNextJob", () => {
  it("should never hand one job to two claimers racing for it", async () => {
    const jobs = await Promise.all(Array.from({ length: 20 }, () => enqueueJob({ type: "sleep" })));
    const claimed = await Promise.all(Array.from({ length: 30 }, (_, i) => claimNextJob(`claimer-${i}`, 60)));
    const ids = claimed.filter((j) => j !== null).map((j) => j!.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(Math.min(20, ids.length));
    expect(jobs.length).toBe(20);
  });

  it("should not run two index appends of one collection at the same time", async () => {
    const [c1, c2] = await Promise.all(["append-1", "append-2"].map((name) => prisma.collection.create({ data: { name, settings: {} } })));
    const jobs = await Promise.all([c1, c1, c2].map((c) => enqueueJob({ type: "index.append", collectionId: c.id, payload: { imageIds: [] } })));
    const claimed = await Promise.all(Array.from({ length: 4 }, (_, i) => claimNextJob(`claimer-${i}`, 60)));
    const ids = claimed.filter((j) => j !== null).map((j) => j!.id).sort((x, y) => x - y);
    expect(ids).toEqual([jobs[0].id, jobs[2].id]); // one per collection, the older first
    await prisma.job.update({ where: { id: jobs[0].id }, data: { status: "succeeded" } });
    expect((await claimNextJob("later", 60))?.id).toBe(jobs[1].id);
  });

  it("should not start a job before the one it depends on has succeeded", async () => {
    const [a, b] = await enqueueChain([{ type: "sleep" }, { type: "sleep" }]);
    expect((await claimNextJob("w", 60))?.id).toBe(a.id);
    expect(await claimNextJob("w", 60)).toBeNull();
    await prisma.job.update({ where: { id: a.id }, data: { status: "succeeded" } });
    expect((await claimNextJob("w", 60))?.id).toBe(b.id);
  });

  it("should fail a job with an expired lease that has used all its attempts", async () => {
    const job = await enqueueJob({ type: "sleep", maxAttempts: 1 });
    await prisma.job.update({ where: { id: job.id }, data: { status: "running", attempts: 1, leaseOwner: "gone", leaseExpiresAt: new Date(Date.now() - 1) } });
    await requeueExpiredLeases();
    expect(await jobRow(job.id)).toMatchObject({ status: "failed" });
    expect((await jobRow(job.id)).error).toMatch(/lease expired/);
  });
});

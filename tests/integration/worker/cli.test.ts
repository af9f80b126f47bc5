import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createFashionCollection } from "./fixtures";

const la = (...args: string[]) =>
  spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "cli/la.ts", ...args], {
    env: { ...process.env, NODE_ENV: "production", LA_BACKEND: "wasm", LOG_LEVEL: "warn" },
    encoding: "utf8",
    timeout: 180_000,
  });

afterAll(() => prisma.$disconnect());

describe("npm run la -- train / jobs", () => {
  it("should run the whole chain inline and list it with --json", { timeout: 200_000 }, async () => {
    const c = await createFashionCollection("cli-fashion", 120, { batchSize: 40, m: 6, kBg: 60, clusterings: 1, warmupEpochs: 1 });
    const train = la("train", "--collection", "cli-fashion", "--epochs", "2", "--inline");
    expect(train.status, train.stderr).toBe(0);
    expect(train.stderr).toMatch(/train: succeeded/);
    expect((await prisma.collection.findUniqueOrThrow({ where: { id: c.id } })).activeModelId).not.toBeNull();

    const jobs = la("jobs", "--collection", "cli-fashion", "--json");
    expect(jobs.status, jobs.stderr).toBe(0);
    const rows = JSON.parse(jobs.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>[];
    expect(rows.map((r) => [r.type, r.status])).toEqual([
      ["cluster", "succeeded"],
      ["index", "succeeded"],
      ["train", "succeeded"],
    ]);
    expect(rows[2]).toMatchObject({ attempts: 1, epoch: 2, epochs: 2, resumed_from_epoch: 0 });
  });

  it("should refuse settings that do not fit the collection, naming the value", async () => {
    await createFashionCollection("cli-small", 20, { kBg: 500 });
    const train = la("train", "--collection", "cli-small", "--inline");
    expect(train.status).toBe(2);
    expect(train.stderr).toMatch(/kBg 500 exceeds the collection size 20/);
  });
});

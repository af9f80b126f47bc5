import { describe, expect, it } from "vitest";
import { IndexRegistry } from "@/lib/vector/registry";
import type { VectorIndex } from "@/lib/vector/index-store";

/** A registry over fake indexes whose loads the test resolves by hand. */
function setup() {
  const loads: { modelId: number; resolve: (v: VectorIndex) => void; reject: (e: Error) => void }[] = [];
  const stamps = new Map<number, string>();
  const registry = new IndexRegistry({
    load: (modelId) => new Promise((resolve, reject) => loads.push({ modelId, resolve, reject })),
    stamp: async (modelId) => stamps.get(modelId) ?? "s0",
    recheckMs: 0,
    retryMs: 60_000,
    idleMs: 50,
  });
  const fake = (name: string) => ({ name }) as unknown as VectorIndex;
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { registry, loads, stamps, fake, settle };
}

describe(IndexRegistry.name, () => {
  it("should load an index once for concurrent first requests", async () => {
    const { registry, loads, fake, settle } = setup();
    const a = registry.get(1, 10);
    const b = registry.get(1, 10);
    await settle();
    expect(loads).toHaveLength(1);
    loads[0].resolve(fake("m10"));
    expect((await a).index).toBe((await b).index);
  });

  it("should keep serving the old model until the new one is loaded, then swap", async () => {
    const { registry, loads, fake, settle } = setup();
    const first = registry.get(1, 10);
    await settle();
    loads[0].resolve(fake("m10"));
    await first;
    expect((await registry.get(1, 11)).modelId).toBe(10);
    await settle();
    expect(loads.map((l) => l.modelId)).toEqual([10, 11]);
    expect((await registry.get(1, 11)).modelId).toBe(10);
    loads[1].resolve(fake("m11"));
    await settle();
    expect((await registry.get(1, 11)).modelId).toBe(11);
  });

  it("should keep the old index when the new one fails to load, and not retry at once", async () => {
    const { registry, loads, fake, settle } = setup();
    const first = registry.get(1, 10);
    await settle();
    loads[0].resolve(fake("m10"));
    await first;
    await registry.get(1, 11);
    await settle();
    loads[1].reject(new Error("missing file"));
    await settle();
    expect((await registry.get(1, 11)).modelId).toBe(10);
    await settle();
    expect(loads).toHaveLength(2);
  });

  it("should fail the first request of a collection whose index cannot be read", async () => {
    const { registry, loads, settle } = setup();
    const first = registry.get(2, 20);
    await settle();
    loads[0].reject(new Error("no index"));
    await expect(first).rejects.toThrow("no index");
  });

  it("should re-read an index whose files changed, serving the loaded one meanwhile", async () => {
    const { registry, loads, stamps, fake, settle } = setup();
    const first = registry.get(1, 10);
    await settle();
    loads[0].resolve(fake("v1"));
    const v1 = (await first).index;
    stamps.set(10, "s1");
    expect((await registry.get(1, 10)).index).toBe(v1);
    await settle();
    expect(loads).toHaveLength(2);
    loads[1].resolve(fake("v2"));
    await settle();
    expect((await registry.get(1, 10)).index).not.toBe(v1);
  });

  it("should unload an index nobody searched for within idleMs, and load it again when asked", async () => {
    const { registry, loads, fake, settle } = setup();
    for (const collectionId of [1, 2]) {
      const got = registry.get(collectionId, collectionId * 10);
      await settle();
      loads.at(-1)!.resolve(fake(`m${collectionId}`));
      await got;
    }
    expect(registry.loaded()).toEqual([1, 2]);
    for (let t = 0; t < 4; t++) {
      await new Promise((r) => setTimeout(r, 30));
      await registry.get(1, 10); // collection 1 stays in use, 2 (think: deleted) is never asked for again
    }
    expect(registry.loaded()).toEqual([1]);
    const again = registry.get(2, 20);
    await settle();
    expect(loads.map((l) => l.modelId)).toEqual([10, 20, 20]);
    loads[2].resolve(fake("m2 again"));
    expect((await again).modelId).toBe(20);
  });
});

import fs from "node:fs/promises";
import { resolveKey } from "@/lib/storage";
import { logger } from "@/lib/log";
import { indexKeys, VectorIndex } from "./index-store";

/**
 * The indexes a process serves: loaded lazily, one per model, and swapped without a restart. When a
 * collection's active model changes, the old index keeps answering until the new one is loaded; when an
 * index file changes on disk (another process appended or removed images), it is re-read in the
 * background the same way. An index no search has asked for in `idleMs` is dropped (a deleted
 * collection's, or one nobody searches), and loaded again when asked for.
 */

export interface Served {
  modelId: number;
  index: VectorIndex;
}

interface Entry {
  modelId: number;
  index: VectorIndex;
  /** mtime + size of index.faiss when it was read. */
  stamp: string;
  checkedAt: number;
  usedAt?: number;
}

export interface RegistryOptions {
  load: (modelId: number) => Promise<VectorIndex>;
  /** Stamp of a model's files; a change triggers a reload. */
  stamp: (modelId: number) => Promise<string>;
  /** How often a served index's stamp is looked at. */
  recheckMs: number;
  /** How long a failed load is not retried. */
  retryMs: number;
  /** How long an index stays loaded without a search. */
  idleMs: number;
}

const log = logger.child({ ctx: "vector-registry" });

export class IndexRegistry {
  private serving = new Map<number, Entry>();
  private loading = new Map<number, Promise<Entry>>();
  private failedAt = new Map<number, { at: number; error: Error }>();
  private sweptAt = Date.now();

  constructor(private opts: RegistryOptions) {}

  /** Collections whose index is loaded. */
  loaded(): number[] {
    return [...this.serving.keys()];
  }

  private evictIdle(now: number): void {
    if (now - this.sweptAt < Math.min(this.opts.idleMs, 60_000)) return;
    this.sweptAt = now;
    for (const [collectionId, entry] of this.serving) {
      if (now - (entry.usedAt ?? entry.checkedAt) > this.opts.idleMs) {
        this.serving.delete(collectionId);
        log.info({ collectionId, modelId: entry.modelId }, "idle index unloaded");
      }
    }
  }

  /**
   * The index to search for a collection whose active model is `activeModelId`. Waits for a load only when
   * the collection has nothing loaded yet; otherwise answers with what it has and swaps when ready.
   */
  async get(collectionId: number, activeModelId: number): Promise<Served> {
    const now = Date.now();
    this.evictIdle(now);
    const current = this.serving.get(collectionId);
    if (current) current.usedAt = now;
    if (current?.modelId === activeModelId) {
      this.recheck(collectionId, current);
      return current;
    }
    const next = this.load(activeModelId).then((entry) => {
      // A slower load of an older activation must not replace a newer one.
      const now = this.serving.get(collectionId);
      if (!now) log.info({ collectionId, modelId: entry.modelId }, "index loaded");
      else if (now.modelId !== entry.modelId) log.info({ collectionId, modelId: entry.modelId, from: now.modelId }, "index swapped in");
      this.serving.set(collectionId, entry);
      return entry;
    });
    if (!current) return next;
    next.catch(() => {}); // logged once by load(); the old index keeps serving
    return current;
  }

  /** Puts an index this process has just written into service for its model (no re-read). */
  async replace(modelId: number, index: VectorIndex): Promise<void> {
    const stamp = await this.opts.stamp(modelId);
    for (const [collectionId, entry] of this.serving) {
      if (entry.modelId === modelId) this.serving.set(collectionId, { modelId, index, stamp, checkedAt: Date.now() });
    }
  }

  private load(modelId: number): Promise<Entry> {
    const failed = this.failedAt.get(modelId);
    if (failed && Date.now() - failed.at < this.opts.retryMs) return Promise.reject(failed.error);
    let pending = this.loading.get(modelId);
    if (!pending) {
      pending = (async () => {
        const stamp = await this.opts.stamp(modelId);
        const index = await this.opts.load(modelId);
        return { modelId, index, stamp, checkedAt: Date.now() };
      })();
      pending.then(
        () => this.failedAt.delete(modelId),
        (error: Error) => {
          log.warn({ err: error, modelId }, "index failed to load; retried later");
          this.failedAt.set(modelId, { at: Date.now(), error });
        },
      );
      pending.finally(() => this.loading.delete(modelId)).catch(() => {});
      this.loading.set(modelId, pending);
    }
    return pending;
  }

  private recheck(collectionId: number, entry: Entry): void {
    if (Date.now() - entry.checkedAt < this.opts.recheckMs || this.loading.has(entry.modelId)) return;
    entry.checkedAt = Date.now();
    this.opts
      .stamp(entry.modelId)
      .then((stamp) => {
        if (stamp === entry.stamp) return;
        return this.load(entry.modelId).then((fresh) => {
          if (this.serving.get(collectionId) === entry) this.serving.set(collectionId, fresh);
        });
      })
      .catch(() => {}); // logged by load(); the loaded index keeps serving
  }
}

/** mtime and size of a model's index and ids files: every save rewrites both. */
export async function indexStamp(modelId: number): Promise<string> {
  const k = indexKeys(modelId);
  const stats = await Promise.all([k.index, k.ids].map((key) => fs.stat(resolveKey(key))));
  return stats.map((st) => `${st.mtimeMs}:${st.size}`).join("|");
}

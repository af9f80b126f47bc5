/**
 * A driver adapter factory whose connection runs one thing at a time: a query outside a transaction
 * waits until an open transaction has committed or rolled back, and a transaction waits for the queries
 * before it (first come, first served).
 *
 * Why: the better-sqlite3 adapter has one connection and only makes transactions wait for each other.
 * Another request's query during an open transaction ran inside it: it read rows not yet committed, and
 * its writes, already answered as done, vanished when that transaction rolled back.
 * A query inside a transaction callback must use the callback's client: the process's `prisma` would
 * wait for the transaction itself, until the transaction's timeout.
 *
 * Before a transaction or a write outside one, it also waits, without blocking, until no other process
 * holds SQLite's write lock (`writeLockFree`, polled with growing pauses, for up to a minute). Otherwise
 * better-sqlite3 would wait for it synchronously, up to the busy timeout, and this process's event loop
 * (every request of the web app) would stop for that long, for example while the worker stores a large
 * clustering.
 */
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";

/** FIFO lock: acquire() resolves with the function that releases it. */
class Turns {
  private last: Promise<void> = Promise.resolve();

  /** Resolves, in call order, with the function that passes the turn on (calling it again does nothing). */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.last;
    this.last = mine;
    return before.then(() => release);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const WAIT_FOR_LOCK_MS = 60_000;
const writes = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

async function waitForWriteLock(writeLockFree: () => boolean): Promise<void> {
  const until = Date.now() + WAIT_FOR_LOCK_MS;
  for (let pause = 1; !writeLockFree() && Date.now() < until; pause = Math.min(50, pause * 2)) {
    await new Promise((r) => setTimeout(r, pause));
  }
}

export function oneAtATime(factory: SqlDriverAdapterFactory, writeLockFree: () => boolean): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => serialise(await factory.connect(), writeLockFree),
  };
}

function serialise(inner: SqlDriverAdapter, writeLockFree: () => boolean): SqlDriverAdapter {
  const turns = new Turns();
  const run = <T>(q: SqlQuery, f: () => Promise<T>) =>
    turns.run(async () => {
      if (writes.test(q.sql)) await waitForWriteLock(writeLockFree);
      return f();
    });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (q: SqlQuery) => run(q, () => inner.queryRaw(q)),
    executeRaw: (q: SqlQuery) => run(q, () => inner.executeRaw(q)),
    executeScript: (script: string) => turns.run(() => inner.executeScript(script)),
    ...(inner.getConnectionInfo ? { getConnectionInfo: () => inner.getConnectionInfo!() } : {}),
    dispose: () => inner.dispose(),
    startTransaction: async (isolationLevel) => {
      const release = await turns.acquire();
      let tx: Transaction;
      try {
        await waitForWriteLock(writeLockFree);
        tx = await inner.startTransaction(isolationLevel);
      } catch (e) {
        release();
        throw e;
      }
      const end = (how: () => Promise<void>) => async () => {
        try {
          await how();
        } finally {
          release();
        }
      };
      return {
        provider: tx.provider,
        adapterName: tx.adapterName,
        options: tx.options,
        queryRaw: (q: SqlQuery) => tx.queryRaw(q),
        executeRaw: (q: SqlQuery) => tx.executeRaw(q),
        commit: end(() => tx.commit()),
        rollback: end(() => tx.rollback()),
      };
    },
  };
}

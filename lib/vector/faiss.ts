import type * as Faiss from "faiss-node";

let loaded: typeof Faiss | undefined;

/**
 * The faiss-node binding, loaded once with its OpenMP thread count pinned (LA_FAISS_THREADS, default 1).
 * libgomp reads OMP_NUM_THREADS when the addon is loaded, so it is set before the first require; with
 * the default (all cores) single flat queries were 27x slower on two cores.
 */
export function faiss(): typeof Faiss {
  if (!loaded) {
    process.env.OMP_NUM_THREADS = process.env.LA_FAISS_THREADS || "1";
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require("faiss-node") as typeof Faiss;
  }
  return loaded;
}

/** Null when the addon loads and answers a search; else the reason (for /api/health). */
export function faissProblem(): string | null {
  try {
    const index = new (faiss().IndexFlatIP)(2);
    index.add([1, 0, 0, 1]);
    const { labels } = index.search([0.9, 0.1], 1);
    return labels[0] === 0 ? null : `unexpected search result ${JSON.stringify(labels)}`;
  } catch (e) {
    return (e as Error).message;
  }
}

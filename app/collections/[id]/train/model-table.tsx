import Link from "next/link";
import type { ModelView } from "@/lib/models/model.service";

const fmt = (x: number | undefined, digits = 1) => (x === undefined ? "–" : x.toFixed(digits));

/** Every model of the collection with its metrics, newest first. */
export function ModelTable({ collectionId, models }: { collectionId: number; models: ModelView[] }) {
  if (!models.length) return <p className="text-sm text-zinc-600 dark:text-zinc-400">No model yet: pick a preset above and press Start training. Each run adds a row here.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full text-left text-sm" data-testid="model-history">
        <thead className="bg-zinc-50 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            {["Model", "Status", "Images", "Epochs", "Final loss", "Images/s", "Train time", "Clusters (coarse / … / fine)", "Created"].map((h) => (
              <th key={h} scope="col" className="whitespace-nowrap px-3 py-2 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {models.map((m) => (
            <tr key={m.id} data-model-id={m.id}>
              <td className="whitespace-nowrap px-3 py-2 font-medium">
                <Link href={`/collections/${collectionId}/models/${m.id}`} className="text-indigo-700 hover:underline focus-visible:-outline-offset-2 dark:text-indigo-300">
                  #{m.id}
                </Link>
                {m.parentId ? <span className="text-zinc-600 dark:text-zinc-400"> (fine-tune of #{m.parentId})</span> : null}
                {m.active ? <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300">active</span> : null}
              </td>
              <td className="px-3 py-2">{m.status}</td>
              <td className="px-3 py-2 tabular-nums">{m.imageCount.toLocaleString("en")}</td>
              <td className="px-3 py-2 tabular-nums">{m.metrics.epochs ?? m.config.epochs}</td>
              <td className="px-3 py-2 tabular-nums">{fmt(m.metrics.finalLoss, 3)}</td>
              <td className="px-3 py-2 tabular-nums">{fmt(m.metrics.imgPerSec, 0)}</td>
              <td className="px-3 py-2 tabular-nums">{m.metrics.trainSeconds === undefined ? "–" : `${fmt(m.metrics.trainSeconds)} s`}</td>
              <td className="px-3 py-2 tabular-nums">{m.metrics.clusters?.length ? m.metrics.clusters.map((c) => c.m).join(" / ") : "–"}</td>
              <td className="whitespace-nowrap px-3 py-2 text-zinc-600 dark:text-zinc-400">{/* UTC: the same text on the server and in the browser, whatever their time zones */}
                <time dateTime={new Date(m.createdAt).toISOString()}>{new Date(m.createdAt).toLocaleString("en", { timeZone: "UTC" })} UTC</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

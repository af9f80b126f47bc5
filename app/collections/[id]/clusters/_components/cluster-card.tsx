import Link from "next/link";
import type { ClusterCard as Card } from "@/lib/clusters/clusters.query";
import { thumbUrl } from "@/lib/clusters/clusters.query";

export function clusterTitle(c: { name: string | null; index: number }): string {
  return c.name ?? `Cluster ${c.index + 1}`;
}

/** 0..1 as a percentage with no decimals. */
export const pct = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);

/** Stability as a small bar: how often the members stay together across seeds. */
export function StabilityBar({ value }: { value: number | null }) {
  const v = value ?? 0;
  const colour = v >= 0.8 ? "bg-emerald-500" : v >= 0.5 ? "bg-amber-500" : "bg-rose-500";
  return (
    <span className="inline-flex items-center gap-1.5" title="Share of member pairs that stay together across seeded runs">
      <span className="h-1.5 w-8 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
        <span className={`block h-full ${colour}`} style={{ width: `${Math.round(v * 100)}%` }} />
      </span>
      <span className="tabular-nums">{pct(value)}</span>
    </span>
  );
}

/** A cluster as a card: its four most central images, name, size and stability. */
export function ClusterCard({ collectionId, cluster, extra }: { collectionId: number; cluster: Card; extra?: React.ReactNode }) {
  const reps = cluster.representativeIds.slice(0, 4);
  return (
    <Link
      href={`/collections/${collectionId}/clusters/${cluster.id}`}
      data-testid="cluster-card"
      className="group block overflow-hidden rounded-lg border border-zinc-200 bg-white transition hover:border-indigo-400 hover:shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="grid aspect-square grid-cols-2 gap-px bg-zinc-200 dark:bg-zinc-800">
        {Array.from({ length: 4 }, (_, i) =>
          reps[i] === undefined ? (
            <div key={i} className="bg-zinc-100 dark:bg-zinc-900" />
          ) : (
            // eslint-disable-next-line @next/next/no-img-element
            <img key={i} src={thumbUrl(reps[i])} alt="" loading="lazy" className="h-full w-full object-cover" />
          ),
        )}
      </div>
      <div className="space-y-1 px-3 py-2">
        <div className="truncate text-sm font-medium group-hover:text-indigo-700 dark:group-hover:text-indigo-300" data-testid="cluster-name">
          {clusterTitle(cluster)}
        </div>
        <div className="flex items-center justify-between gap-2 whitespace-nowrap text-xs text-zinc-600 dark:text-zinc-400">
          <span className="tabular-nums" data-testid="cluster-size">{cluster.size.toLocaleString("en")} images</span>
          <StabilityBar value={cluster.stability} />
        </div>
        {extra}
      </div>
    </Link>
  );
}

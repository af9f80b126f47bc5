import Link from "next/link";
import { getImageMemberships, thumbUrl } from "@/lib/clusters/clusters.query";
import { AppError } from "@/lib/errors";
import { searchCollection } from "@/lib/search";
import { clusterTitle, pct } from "./cluster-card";

/** Nearest images by the active model, or [] when the collection has no servable index yet. */
async function nearest(collectionId: number, imageId: number) {
  try {
    return (await searchCollection(collectionId, { imageId, k: 12 })).results;
  } catch (e) {
    if (e instanceof AppError) return [];
    throw e;
  }
}

/**
 * For the image page: the image's soft memberships at every scale of the active model (weight bars,
 * strongest first) and its nearest images. Renders nothing before the first cluster step.
 */
export async function ImageMemberships({ collectionId, imageId }: { collectionId: number; imageId: number }) {
  const [scales, similar] = await Promise.all([getImageMemberships(collectionId, imageId), nearest(collectionId, imageId)]);
  if (scales.length === 0 && similar.length === 0) return null;
  return (
    <div className="space-y-6" data-testid="image-memberships">
      {scales.length ? (
        <section className="space-y-2">
          <h2 className="font-medium">Clusters</h2>
          <ul className="space-y-3">
            {scales.map((s) => (
              <li key={s.scale} data-scale={s.scale}>
                <div className="mb-1 text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
                  {s.scale} · {s.m} clusters
                </div>
                <ul className="space-y-1">
                  {s.clusters.map((c) => (
                    <li key={c.clusterId}>
                      <Link href={`/collections/${collectionId}/clusters/${c.clusterId}`} className="group flex items-center gap-3 text-sm" data-testid="membership">
                        <span className="w-28 shrink-0 truncate group-hover:text-indigo-700 sm:w-40 dark:group-hover:text-indigo-300">{clusterTitle(c)}</span>
                        <span className="h-2 flex-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
                          <span className={`block h-full ${c.rank === 0 ? "bg-indigo-600" : "bg-indigo-300"}`} style={{ width: `${Math.max(1, c.weight * 100)}%` }} />
                        </span>
                        <span className="w-10 shrink-0 text-right tabular-nums">{pct(c.weight)}</span>
                        <span className="hidden w-20 text-right text-xs tabular-nums sm:inline text-zinc-500 dark:text-zinc-400">{c.size.toLocaleString("en")} images</span>
                      </Link>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {similar.length ? (
        <section className="space-y-2">
          <h2 className="font-medium">Nearest images</h2>
          <ul className="grid grid-cols-4 gap-2 sm:grid-cols-6 lg:grid-cols-10" data-testid="nearest">
            {similar.map((h) => (
              <li key={h.imageId}>
                <Link href={`/collections/${collectionId}/images/${h.imageId}`} className="group block">
                  {/* eslint-disable-next-line @next/next/no-img-element */}
                  <img src={thumbUrl(h.imageId)} alt="" loading="lazy" className="aspect-square w-full rounded object-cover ring-indigo-500 group-hover:ring-2" />
                  <span className="block text-center text-[11px] tabular-nums text-zinc-500 dark:text-zinc-400">{h.score.toFixed(2)}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

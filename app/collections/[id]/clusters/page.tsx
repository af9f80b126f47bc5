import Link from "next/link";
import { notFound } from "next/navigation";
import { getClusterOverview, getNearDuplicates, thumbUrl } from "@/lib/clusters/clusters.query";
import { Id } from "@/lib/images/browse";
import { EmptyState } from "../../../_components/EmptyState";
import { primaryButton, secondaryButton, textLink } from "../../../_components/styles";
import { ClusterCard } from "./_components/cluster-card";
import { loadOrNotReady } from "./_components/load";
import { ScaleQuality } from "./_components/quality";
import { ScaleSwitcher } from "./_components/scale-switcher";

export const dynamic = "force-dynamic";

/** The clusters the active model found, one scale at a time (coarse to fine). */
export default async function ClustersPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ scale?: string }> }) {
  const id = Id.safeParse((await params).id);
  if (!id.success) notFound();
  const { scale } = await searchParams;
  const loaded = await loadOrNotReady(() => getClusterOverview(id.data, scale));
  if ("notReady" in loaded) {
    const untrained = /no trained model/.test(loaded.notReady);
    return (
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold">Clusters</h1>
        <EmptyState
          title={untrained ? "Clusters appear after training" : "The clusters are not ready yet"}
          action={
            <Link href={`/collections/${id.data}/train`} className={primaryButton}>
              {untrained ? "Train a model" : "See the training progress"}
            </Link>
          }
        >
          <p data-testid="not-ready">
            {untrained
              ? "The trained model groups similar photos by itself, at several scales from broad themes down to near-duplicates, without any labels."
              : `The last step of training (clustering) has not finished: ${loaded.notReady}.`}
          </p>
        </EmptyState>
      </div>
    );
  }
  const o = loaded.data;
  const finest = o.scales[o.scales.length - 1].scale === o.scale.scale;
  const duplicates = finest ? await getNearDuplicates(o.modelId) : null;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Clusters</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Found without labels by{" "}
            <Link className={textLink} href={`/collections/${o.collection.id}/models/${o.modelId}`}>
              model #{o.modelId}
            </Link>
            . Images belong partly to their nearest clusters.
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <ScaleSwitcher scales={o.scales} current={o.scale.scale} href={(s) => `/collections/${o.collection.id}/clusters?scale=${encodeURIComponent(s)}`} />
          <Link
            href={`/collections/${o.collection.id}/clusters/map?scale=${encodeURIComponent(o.scale.scale)}`}
            className={secondaryButton}
          >
            Show on the map
          </Link>
        </div>
      </div>
      <ScaleQuality scale={o.scale} />
      <ul className="grid grid-cols-2 gap-4 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-6" data-testid="cluster-grid">
        {o.clusters.map((c) => (
          <li key={c.id}>
            <ClusterCard collectionId={o.collection.id} cluster={c} />
          </li>
        ))}
      </ul>
      {duplicates ? (
        <section className="space-y-3" data-testid="near-duplicates">
          <h2 className="font-medium">
            Near-duplicates <span className="text-sm font-normal text-zinc-600 dark:text-zinc-400">cosine ≥ {duplicates.threshold.toFixed(3)} · {duplicates.groups.length} {duplicates.groups.length === 1 ? "group" : "groups"}</span>
          </h2>
          {duplicates.groups.length === 0 ? <p className="text-sm text-zinc-600 dark:text-zinc-400">None found.</p> : null}
          <ul className="space-y-2">
            {duplicates.groups.slice(0, 24).map((g) => (
              <li key={g[0]} className="flex flex-wrap gap-2" data-testid="duplicate-group">
                {g.slice(0, 12).map((imageId) => (
                  <Link key={imageId} href={`/collections/${o.collection.id}/images/${imageId}`}>
                    {/* eslint-disable-next-line @next/next/no-img-element */}
                    <img src={thumbUrl(imageId)} alt="" loading="lazy" className="h-16 w-16 rounded object-cover ring-indigo-500 hover:ring-2" />
                  </Link>
                ))}
                {g.length > 12 ? <span className="self-center text-sm text-zinc-600 dark:text-zinc-400">+{g.length - 12}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

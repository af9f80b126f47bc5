import Link from "next/link";
import { notFound } from "next/navigation";
import { getClusterDetail, MemberPage, thumbUrl } from "@/lib/clusters/clusters.query";
import { Id } from "@/lib/images/browse";
import { ClusterCard, clusterTitle, pct, StabilityBar } from "../_components/cluster-card";
import { loadOrNotReady } from "../_components/load";
import { RenameForm } from "../_components/rename-form";

export const dynamic = "force-dynamic";

const PAGE = 120;

function Thumb({ collectionId, imageId, caption }: { collectionId: number; imageId: number; caption: string }) {
  return (
    <Link href={`/collections/${collectionId}/images/${imageId}`} className="group block" data-testid="member">
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={thumbUrl(imageId)} alt="" loading="lazy" className="aspect-square w-full rounded object-cover ring-indigo-500 group-hover:ring-2" />
      <span className="block text-center text-[11px] tabular-nums text-zinc-500 dark:text-zinc-400">{caption}</span>
    </Link>
  );
}

/** One cluster: its members closest to the centroid first, images partly in it, and its neighbouring clusters. */
export default async function ClusterPage({ params, searchParams }: { params: Promise<{ id: string; clusterId: string }>; searchParams: Promise<{ offset?: string }> }) {
  const p = await params;
  const collectionId = Id.safeParse(p.id);
  const clusterId = Id.safeParse(p.clusterId);
  const page = MemberPage.safeParse({ offset: (await searchParams).offset, limit: PAGE });
  if (!collectionId.success || !clusterId.success || !page.success) notFound();
  const loaded = await loadOrNotReady(() => getClusterDetail(clusterId.data, page.data));
  if ("notReady" in loaded) notFound();
  const { cluster, members, partial, neighbours, offset } = loaded.data;
  if (cluster.collectionId !== collectionId.data) notFound();
  const base = `/collections/${cluster.collectionId}/clusters`;
  const title = clusterTitle(cluster);
  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <Link href={`${base}?scale=${encodeURIComponent(cluster.scale)}`} className="text-sm text-zinc-500 dark:text-zinc-400 hover:underline">
          Clusters · <span className="capitalize">{cluster.scale}</span>
        </Link>
        <h1 className="text-2xl font-semibold" data-testid="cluster-title">
          {title}
        </h1>
        <p className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
          <span className="tabular-nums">{cluster.size.toLocaleString("en")} images</span>
          <span className="inline-flex items-center gap-2">
            stability <StabilityBar value={cluster.stability} />
          </span>
          <span>model #{cluster.modelId}{cluster.active ? "" : " (not the active model)"}</span>
        </p>
        <RenameForm clusterId={cluster.id} name={cluster.name} placeholder={`Cluster ${cluster.index + 1}`} />
      </div>

      <section className="space-y-3">
        <h2 className="font-medium">Members, closest to the centre first</h2>
        <ul className="grid grid-cols-4 gap-2 sm:grid-cols-6 md:grid-cols-8 lg:grid-cols-10" data-testid="members">
          {members.map((m) => (
            <li key={m.imageId}>
              <Thumb collectionId={cluster.collectionId} imageId={m.imageId} caption={m.similarity.toFixed(2)} />
            </li>
          ))}
        </ul>
        <div className="flex gap-4 text-sm">
          {offset > 0 ? (
            <Link className="text-indigo-600 dark:text-indigo-400 hover:underline" href={`?offset=${Math.max(0, offset - PAGE)}`}>
              Previous
            </Link>
          ) : null}
          {offset + members.length < cluster.size ? (
            <Link className="text-indigo-600 dark:text-indigo-400 hover:underline" href={`?offset=${offset + PAGE}`}>
              Next ({offset + members.length} of {cluster.size})
            </Link>
          ) : null}
        </div>
      </section>

      {partial.length ? (
        <section className="space-y-3">
          <h2 className="font-medium">Partly here</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Images whose strongest cluster is another one, with the weight they give this one.</p>
          <ul className="grid grid-cols-4 gap-2 sm:grid-cols-6 md:grid-cols-8 lg:grid-cols-10">
            {partial.map((m) => (
              <li key={m.imageId}>
                <Thumb collectionId={cluster.collectionId} imageId={m.imageId} caption={pct(m.weight)} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="space-y-3">
        <h2 className="font-medium">Neighbouring clusters</h2>
        <ul className="grid grid-cols-2 gap-4 sm:grid-cols-3 md:grid-cols-6" data-testid="neighbours">
          {neighbours.map((c) => (
            <li key={c.id}>
              <ClusterCard collectionId={cluster.collectionId} cluster={c} extra={<div className="text-xs text-zinc-500 dark:text-zinc-400">similarity {c.similarity.toFixed(2)}</div>} />
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

import { notFound } from "next/navigation";
import { getCollection } from "@/lib/collections/collections.service";
import { NotFoundError } from "@/lib/errors";
import { Id } from "@/lib/images/browse";
import Link from "next/link";
import { EmptyState } from "../../../../_components/EmptyState";
import { primaryButton } from "../../../../_components/styles";
import { ClusterMap } from "../_components/cluster-map";

export const dynamic = "force-dynamic";

/** The map of the whole collection (the layout the cluster step computed for the active model). */
export default async function MapPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ scale?: string }> }) {
  const id = Id.safeParse((await params).id);
  if (!id.success) notFound();
  const c = await getCollection(id.data).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const { scale } = await searchParams;
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Map of the collection</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Nearby dots are images the model finds similar; colours are its clusters. Hover a dot to see the image, click to open it.</p>
      </div>
      {c.activeModelId ? (
        <ClusterMap collectionId={c.id} initialScale={scale} />
      ) : (
        <EmptyState
          title="The map appears after training"
          action={
            <Link href={`/collections/${c.id}/train`} className={primaryButton}>
              Train a model
            </Link>
          }
        >
          It lays out every photo of the collection in 2-D, so that photos the trained model finds similar sit close together.
        </EmptyState>
      )}
    </div>
  );
}

import Link from "next/link";
import { notFound } from "next/navigation";
import { getCollection } from "@/lib/collections/collections.service";
import { NotFoundError } from "@/lib/errors";
import { Id } from "@/lib/images/browse";
import { pixelFormat } from "@/lib/images/pixels";
import { CollectionView } from "../_components/CollectionView";

export const dynamic = "force-dynamic";

export default async function CollectionPage({ params }: { params: Promise<{ id: string }> }) {
  const id = Id.safeParse((await params).id);
  if (!id.success) notFound();
  const c = await getCollection(id.data).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const fmt = pixelFormat(c.settings);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{c.name}</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            <span data-testid="image-count">{c.imageCount.toLocaleString("en")}</span> images · model input {fmt.resolution}x{fmt.resolution}
            {fmt.channels === 1 ? " grey" : " RGB"} ·{" "}
            <span data-testid="model-status">{c.activeModelId ? `active model #${c.activeModelId}` : "no trained model yet"}</span>
          </p>
        </div>
        <Link href={`/collections/${c.id}/train`} className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">
          Train
        </Link>
      </div>
      <CollectionView collectionId={c.id} labels={c.labels} />
    </div>
  );
}

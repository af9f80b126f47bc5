import { notFound } from "next/navigation";
import { getCollection } from "@/lib/collections/collections.service";
import { NotFoundError } from "@/lib/errors";
import { Id } from "@/lib/images/browse";
import { MAX_K } from "@/lib/search";
import { SearchClient } from "./search-client";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ imageId?: string }> };

/** Search a collection by a dropped or pasted photo, or by one of its images (`?imageId=`). */
export default async function SearchPage({ params, searchParams }: Props) {
  const id = Id.safeParse((await params).id);
  if (!id.success) notFound();
  const c = await getCollection(id.data).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const imageId = Id.safeParse((await searchParams).imageId);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Search</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {c.activeModelId
            ? `Nearest images by the collection's own encoder (model #${c.activeModelId}); scores are cosine similarities.`
            : "This collection has no trained model yet: train it first, then search here."}
        </p>
      </div>
      <SearchClient collectionId={c.id} trained={c.activeModelId !== null} initialImageId={imageId.success ? imageId.data : null} maxK={MAX_K} />
    </div>
  );
}

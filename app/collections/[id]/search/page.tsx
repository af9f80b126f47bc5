import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getCollection } from "@/lib/collections/collections.service";
import { NotFoundError } from "@/lib/errors";
import { Id } from "@/lib/images/browse";
import { MAX_K } from "@/lib/search";
import { EmptyState } from "../../../_components/EmptyState";
import { primaryButton } from "../../../_components/styles";
import { SearchClient } from "./search-client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Search" };

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
        {c.activeModelId ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Nearest images by the collection&apos;s own encoder (model #{c.activeModelId}); scores are cosine similarities, 1 is identical.
          </p>
        ) : null}
      </div>
      {c.activeModelId ? (
        <SearchClient collectionId={c.id} initialImageId={imageId.success ? imageId.data : null} maxK={MAX_K} />
      ) : c.imageCount < 2 ? (
        <EmptyState
          title="Nothing to search yet"
          action={
            <Link href={`/collections/${c.id}`} className={primaryButton}>
              Upload photos
            </Link>
          }
        >
          Search finds the photos of this collection that look most like a photo you give it. Upload some photos first, then train a model on them.
        </EmptyState>
      ) : (
        <EmptyState
          title="Search needs a trained model"
          action={
            <Link href={`/collections/${c.id}/train`} className={primaryButton}>
              Train a model
            </Link>
          }
        >
          This collection has no trained model yet. Training teaches an encoder what its {c.imageCount.toLocaleString("en")} photos look
          like (no labels needed); then you can drop any photo here and get the most similar ones, with scores.
        </EmptyState>
      )}
    </div>
  );
}

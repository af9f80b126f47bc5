import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getCollection } from "@/lib/collections/collections.service";
import { NotFoundError } from "@/lib/errors";
import { Id } from "@/lib/images/browse";
import { pixelFormat } from "@/lib/images/pixels";
import { getTrainingSettings } from "@/lib/jobs/training.service";
import { primaryButton, secondaryButton } from "../../_components/styles";
import { CollectionView } from "../_components/CollectionView";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

async function load(params: Props["params"]) {
  const id = Id.safeParse((await params).id);
  if (!id.success) notFound();
  return getCollection(id.data).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await load(params)).name };
}

function formatDuration(s: number): string {
  return s < 90 ? `${Math.max(1, Math.round(s))} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

export default async function CollectionPage({ params }: Props) {
  const c = await load(params);
  const fmt = pixelFormat(c.settings);
  const trained = c.activeModelId !== null;
  const quick = !trained && c.imageCount >= 2 ? (await getTrainingSettings(c.id)).presets.find((p) => p.name === "quick") : undefined;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="break-words text-2xl font-semibold">{c.name}</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            <span data-testid="image-count">{c.imageCount.toLocaleString("en")}</span> images · model input {fmt.resolution}x{fmt.resolution}
            {fmt.channels === 1 ? " grey" : " RGB"} ·{" "}
            <span data-testid="model-status">{trained ? `active model #${c.activeModelId}` : "no trained model yet"}</span>
          </p>
        </div>
        {c.imageCount >= 2 ? (
          <div className="flex gap-2">
            {trained ? (
              <Link href={`/collections/${c.id}/search`} className={primaryButton}>
                Search
              </Link>
            ) : null}
            <Link href={`/collections/${c.id}/train`} className={trained ? secondaryButton : primaryButton}>
              Train
            </Link>
          </div>
        ) : null}
      </div>
      {!trained && c.imageCount >= 2 ? (
        <p className="rounded-md border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-900 dark:border-indigo-900 dark:bg-indigo-950 dark:text-indigo-200" data-testid="next-step">
          Next: <Link href={`/collections/${c.id}/train`} className="font-medium underline">train a model</Link> on these{" "}
          {c.imageCount.toLocaleString("en")} images{quick ? ` (the quick preset: about ${formatDuration(quick.expectedSeconds)})` : ""}. Search, clusters and the map
          open when it is done.
        </p>
      ) : null}
      <CollectionView collectionId={c.id} labels={c.labels} imageCount={c.imageCount} />
    </div>
  );
}

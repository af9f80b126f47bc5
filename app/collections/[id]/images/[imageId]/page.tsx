import Link from "next/link";
import { notFound } from "next/navigation";
import { NotFoundError } from "@/lib/errors";
import { getImage, Id } from "@/lib/images/browse";
import { ImageMemberships } from "../../clusters/_components/image-memberships";

export const dynamic = "force-dynamic";

export default async function ImagePage({ params }: { params: Promise<{ id: string; imageId: string }> }) {
  const p = await params;
  const [cid, iid] = [Id.safeParse(p.id), Id.safeParse(p.imageId)];
  if (!cid.success || !iid.success) notFound();
  const img = await getImage(iid.data).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  if (img.collectionId !== cid.data) notFound();
  const rows: [string, string | null][] = [
    ["Label", img.label],
    ["Type", img.mimeType],
    ["Size", `${img.width} x ${img.height} px · ${(img.byteSize / 1024).toFixed(1)} KiB`],
    ["Taken", img.takenAt ? img.takenAt.toISOString().replace("T", " ").slice(0, 19) : null],
    ["Camera", img.camera],
    ["Added", img.createdAt.toISOString().replace("T", " ").slice(0, 19)],
    ["SHA-256", img.contentHash],
  ];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="min-w-0 break-all text-xl font-semibold">{img.name}</h1>
        <Link
          href={`/collections/${img.collectionId}/search?imageId=${img.id}`}
          className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Find similar
        </Link>
      </div>
      <div className="grid gap-6 md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <a href={img.originalUrl} className="block self-start rounded-lg bg-zinc-100 p-2 dark:bg-zinc-900" title="Open the original">
          {/* Small photos are shown up to 4x (not 1:1 in a big empty box), large ones fit the window. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            src={img.originalUrl}
            alt={img.name}
            width={img.width}
            height={img.height}
            style={{ width: Math.min(img.width * 4, 1600) }}
            className="mx-auto h-auto max-h-[75vh] max-w-full object-contain"
          />
        </a>
        <dl className="space-y-2 text-sm">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt className="text-zinc-500 dark:text-zinc-400">{k}</dt>
              <dd className="break-all" data-field={k}>
                {v ?? "—"}
              </dd>
            </div>
          ))}
        </dl>
      </div>
      <ImageMemberships collectionId={img.collectionId} imageId={img.id} />
    </div>
  );
}

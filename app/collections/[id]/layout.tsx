import { notFound } from "next/navigation";
import { getCollection } from "@/lib/collections/collections.service";
import { NotFoundError } from "@/lib/errors";
import { Id } from "@/lib/images/browse";
import { CollectionTabs } from "../_components/CollectionTabs";

export default async function CollectionLayout({ params, children }: { params: Promise<{ id: string }>; children: React.ReactNode }) {
  const id = Id.safeParse((await params).id);
  if (!id.success) notFound();
  const c = await getCollection(id.data).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <>
      <CollectionTabs collectionId={c.id} name={c.name} />
      {children}
    </>
  );
}

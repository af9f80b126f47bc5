import { listCollections } from "@/lib/collections/collections.service";
import { CollectionsManager } from "./_components/CollectionsManager";

export const dynamic = "force-dynamic";

export default async function CollectionsPage() {
  const collections = await listCollections();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Collections</h1>
      <CollectionsManager
        collections={collections.map((c) => ({ id: c.id, name: c.name, imageCount: c.imageCount, activeModelId: c.activeModelId }))}
      />
    </div>
  );
}

import { createCollection, listCollections } from "@/lib/collections/collections.service";
import { route } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async () => Response.json({ collections: await listCollections() }));

export const POST = route(async (request: Request) => {
  const collection = await createCollection(await request.json().catch(() => ({})));
  return Response.json(collection, { status: 201 });
});

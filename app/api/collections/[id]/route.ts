import { deleteCollection, getCollection, renameCollection } from "@/lib/collections/collections.service";
import { route } from "@/lib/http";
import { Id } from "@/lib/images/browse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => Response.json(await getCollection(Id.parse((await params).id))));

export const PATCH = route(async (request: Request, { params }: Ctx) => {
  const id = Id.parse((await params).id);
  return Response.json(await renameCollection(id, await request.json().catch(() => ({}))));
});

export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  await deleteCollection(Id.parse((await params).id));
  return new Response(null, { status: 204 });
});

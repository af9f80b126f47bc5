import { route } from "@/lib/http";
import { Id } from "@/lib/images/browse";
import { parseSearchRequest, searchCollection } from "@/lib/search";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Search by an uploaded image (multipart `image`) or by an image of the collection (`imageId`). */
export const POST = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const collectionId = Id.parse((await params).id);
  return Response.json(await searchCollection(collectionId, await parseSearchRequest(request)));
});

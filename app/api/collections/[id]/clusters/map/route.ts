import { getActiveMap } from "@/lib/clusters/clusters.query";
import { route } from "@/lib/http";
import { Id } from "@/lib/images/browse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET: the active model's map (binary, lib/clusters/map-file.ts); the model id is in X-Model-Id. */
export const GET = route(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { modelId, bytes } = await getActiveMap(Id.parse((await params).id));
  return new Response(new Uint8Array(bytes), {
    headers: { "content-type": "application/octet-stream", "x-model-id": String(modelId), "cache-control": "no-cache" },
  });
});

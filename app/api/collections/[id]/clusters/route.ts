import { ClusterScaleQuery } from "@/lib/api/schemas";
import { getClusterOverview } from "@/lib/clusters/clusters.query";
import { route } from "@/lib/http";
import { Id } from "@/lib/images/browse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET ?scale=coarse: the active model's scales and the clusters of one scale (default the coarsest). */
export const GET = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { scale } = ClusterScaleQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json(await getClusterOverview(Id.parse((await params).id), scale));
});

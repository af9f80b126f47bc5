import { getClusterDetail, renameCluster } from "@/lib/clusters/clusters.query";
import { route } from "@/lib/http";
import { Id } from "@/lib/images/browse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET ?offset=&limit=: the cluster, a page of its members (closest to the centroid first), its neighbours. */
export const GET = route(async (request: Request, { params }: Ctx) => {
  const page = Object.fromEntries(new URL(request.url).searchParams);
  return Response.json(await getClusterDetail(Id.parse((await params).id), page));
});

/** PATCH { name }: renames the cluster (empty or null clears the name). */
export const PATCH = route(async (request: Request, { params }: Ctx) =>
  Response.json(await renameCluster(Id.parse((await params).id), await request.json().catch(() => ({})))),
);

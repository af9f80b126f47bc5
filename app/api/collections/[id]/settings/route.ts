import { route } from "@/lib/http";
import { IdParam } from "@/lib/jobs/ids";
import { getTrainingSettings, updateTrainingSettings } from "@/lib/jobs/training.service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => Response.json(await getTrainingSettings(IdParam.parse((await params).id))));

/** Merges the given settings (resolution, channels, epochs, warmupEpochs, clusterings, m, kBg, tau, lr, batchSize, clusterOn). */
export const PUT = route(async (request: Request, { params }: Ctx) => {
  const id = IdParam.parse((await params).id);
  return Response.json(await updateTrainingSettings(id, await request.json().catch(() => null)));
});

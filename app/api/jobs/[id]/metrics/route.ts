import { route } from "@/lib/http";
import { IdParam } from "@/lib/jobs/ids";
import { getJob, getJobMetrics } from "@/lib/jobs/job.service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** The job's loss-curve points (?after=<point id> for the newer ones only). */
export const GET = route(async (request: Request, { params }: Ctx) => {
  const id = IdParam.parse((await params).id);
  await getJob(id);
  const after = Number(new URL(request.url).searchParams.get("after") ?? 0) || 0;
  return Response.json({ points: await getJobMetrics(id, after) });
});

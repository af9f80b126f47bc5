import { route } from "@/lib/http";
import { IdParam } from "@/lib/jobs/ids";
import { cancelJob } from "@/lib/jobs/job.service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** Cancels a queued job at once, a running one at its next step (202 until it has stopped). */
export const POST = route(async (_req: Request, { params }: Ctx) => {
  const job = await cancelJob(IdParam.parse((await params).id));
  return Response.json(job, { status: job.status === "running" ? 202 : 200 });
});

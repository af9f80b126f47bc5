import { route } from "@/lib/http";
import { IdParam } from "@/lib/jobs/ids";
import { jobEventStream } from "@/lib/jobs/job-events";
import { getJob } from "@/lib/jobs/job.service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** Server-sent events of a job's progress (see lib/jobs/job-events.ts). */
export const GET = route(async (request: Request, { params }: Ctx) => {
  const id = IdParam.parse((await params).id);
  await getJob(id); // 404 before the stream starts
  return new Response(jobEventStream(id, request.signal), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive" },
  });
});

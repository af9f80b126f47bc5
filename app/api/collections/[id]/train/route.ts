import { route } from "@/lib/http";
import { IdParam } from "@/lib/jobs/ids";
import { parseStartTraining, startTraining } from "@/lib/jobs/training.service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** Queues train (or finetune) -> index -> cluster: 202 with the job ids; 409 if a chain is active; 422 on bad settings. */
export const POST = route(async (request: Request, { params }: Ctx) => {
  const id = IdParam.parse((await params).id);
  const input = parseStartTraining(await request.json().catch(() => ({})));
  return Response.json(await startTraining(id, input), { status: 202 });
});

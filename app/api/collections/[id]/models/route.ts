import { route } from "@/lib/http";
import { IdParam } from "@/lib/jobs/ids";
import { getModelHistory } from "@/lib/models/model.service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => Response.json(await getModelHistory(IdParam.parse((await params).id))));

import { route } from "@/lib/http";
import { Id, imageFileResponse } from "@/lib/images/browse";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  imageFileResponse(Id.parse((await params).id), "thumb", request.headers.get("if-none-match")),
);

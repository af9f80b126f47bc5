import { route } from "@/lib/http";
import { Id, listImages } from "@/lib/images/browse";
import { ingestUpload } from "@/lib/images/upload";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** ?cursor=&limit=&label=&q= -> { images, nextCursor } */
export const GET = route(async (request: Request, { params }: Ctx) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return Response.json(await listImages(Id.parse((await params).id), query));
});

/** multipart/form-data with image files and zips -> one outcome per file (stored, duplicate, rejected). */
export const POST = route(async (request: Request, { params }: Ctx) => {
  const { status, ...result } = await ingestUpload(Id.parse((await params).id), request);
  const body = status === 200 ? result : { error: `nothing was stored: ${firstReason(result.files)}`, ...result };
  return Response.json(body, { status });
});

function firstReason(files: { outcome: string; reason?: string }[]): string {
  return files.find((f) => f.reason)?.reason ?? "no file was accepted";
}

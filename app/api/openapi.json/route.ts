import { openApiDocument } from "@/lib/api/openapi";
import { route } from "@/lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 description of this API (lib/api/openapi.ts). */
export const GET = route(async () => Response.json(openApiDocument()));

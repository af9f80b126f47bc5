import { clearedCookieHeader } from "@/lib/auth/session";
import { route } from "@/lib/http";

export const runtime = "nodejs";

export const POST = route(async () => new Response(null, { status: 303, headers: { "set-cookie": clearedCookieHeader(), location: "/login" } }));

import { authToken, createSession, isSameOrigin, isValidToken, sessionCookieHeader } from "@/lib/auth/session";
import { LoginBody } from "@/lib/api/schemas";
import { errorResponse, route } from "@/lib/http";

export const runtime = "nodejs";

/** Exchanges the token for a fresh session cookie. Form posts get a redirect, JSON clients a 204. */
export const POST = route(async (req: Request) => {
  const token = authToken();
  if (!token) return errorResponse(404, "access control is off (LA_AUTH_TOKEN is not set)");
  if (!isSameOrigin(req.headers)) return errorResponse(403, "cross-site request refused");
  const isForm = (req.headers.get("content-type") ?? "").includes("form");
  const body = LoginBody.parse(isForm ? Object.fromEntries(await req.formData()) : await req.json());
  const next = body.next?.startsWith("/") && !body.next.startsWith("//") ? body.next : "/";
  if (!isValidToken(body.token, token)) {
    if (isForm) return new Response(null, { status: 303, headers: { location: `/login?error=1&next=${encodeURIComponent(next)}` } });
    return errorResponse(401, "wrong token");
  }
  const cookie = sessionCookieHeader(createSession(token), new URL(req.url).protocol === "https:");
  const headers = { "set-cookie": cookie, ...(isForm ? { location: next } : {}) };
  return new Response(null, { status: isForm ? 303 : 204, headers });
});

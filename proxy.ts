import { NextResponse, type NextRequest } from "next/server";
import { authToken, isSameOrigin, isValidSession, isValidToken, SESSION_COOKIE } from "@/lib/auth/session";

const PUBLIC_PATHS = new Set(["/login", "/api/auth/login", "/icon.svg"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function deny(req: NextRequest, status: 401 | 403, message: string): NextResponse {
  if (req.nextUrl.pathname.startsWith("/api/")) return NextResponse.json({ error: message }, { status });
  const next = encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search);
  // Proxy redirects must be absolute; build it on the Host the browser used (req.url names the server's own).
  const base = `${req.nextUrl.protocol}//${req.headers.get("host") ?? req.nextUrl.host}`;
  return NextResponse.redirect(new URL(`/login?next=${next}`, base), 303);
}

/**
 * With LA_AUTH_TOKEN set, every page and API call needs a session cookie or a Bearer token. With or
 * without it, a browser's cross-site state change is refused: a loopback-only service is still reachable
 * from any page open in a browser on the same machine.
 */
export function proxy(req: NextRequest): NextResponse {
  const unsafe = !SAFE_METHODS.has(req.method);
  const claimsOrigin = req.headers.has("origin") || req.headers.has("referer");
  if (unsafe && claimsOrigin && !isSameOrigin(req.headers)) return deny(req, 403, "cross-site request refused");
  const token = authToken();
  if (!token || PUBLIC_PATHS.has(req.nextUrl.pathname)) return NextResponse.next();
  const bearer = req.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
  if (bearer !== undefined) {
    return isValidToken(bearer, token) ? NextResponse.next() : deny(req, 401, "invalid bearer token");
  }
  if (!isValidSession(req.cookies.get(SESSION_COOKIE)?.value, token)) {
    return deny(req, 401, "authentication required: log in or send Authorization: Bearer <LA_AUTH_TOKEN>");
  }
  // A cookie rides along on any request, so a cookie-authorised change must prove its origin.
  if (unsafe && !claimsOrigin) return deny(req, 403, "cross-site request refused");
  return NextResponse.next();
}

export const config = { matcher: ["/((?!_next/static|_next/image).*)"] };

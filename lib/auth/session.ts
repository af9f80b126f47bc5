import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/config/env";

/**
 * Access control with one shared secret (LA_AUTH_TOKEN). A client proves it knows the token either on
 * every request (`Authorization: Bearer <token>`) or once at login, which sets a session cookie:
 * `<random id>.<expiry seconds>.<HMAC-SHA256(id.expiry)>` keyed by the token, so changing the token
 * ends every session. A new random id at each login rotates the session.
 */
export const SESSION_COOKIE = "la_session";
export const SESSION_TTL_S = 7 * 24 * 3600;

export function authToken(): string | undefined {
  return env().LA_AUTH_TOKEN;
}

function sameSecret(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

function sign(payload: string, token: string): string {
  return createHmac("sha256", token).update(payload).digest("base64url");
}

export function isValidToken(candidate: string, token = authToken()): boolean {
  return token !== undefined && sameSecret(candidate, token);
}

export function createSession(token: string, nowS = Math.floor(Date.now() / 1000)): string {
  const payload = `${randomBytes(18).toString("base64url")}.${nowS + SESSION_TTL_S}`;
  return `${payload}.${sign(payload, token)}`;
}

export function isValidSession(cookie: string | undefined, token: string, nowS = Math.floor(Date.now() / 1000)): boolean {
  const parts = cookie?.split(".") ?? [];
  if (parts.length !== 3) return false;
  const [id, expiry, mac] = parts;
  return Number(expiry) > nowS && sameSecret(mac, sign(`${id}.${expiry}`, token));
}

export function sessionCookieHeader(value: string, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${SESSION_TTL_S}`, ...(secure ? ["Secure"] : []),
  ].join("; ");
}

export function clearedCookieHeader(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

/** A state-changing request authorised by a cookie must come from our own origin (CSRF). */
export function isSameOrigin(headers: Headers): boolean {
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  const origin = headers.get("origin") ?? headers.get("referer");
  if (!host || !origin) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

import { ZodError } from "zod";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

/** A JSON error body: { error: message, details? }. */
export function errorResponse(status: number, message: string, details?: unknown): Response {
  return Response.json(details === undefined ? { error: message } : { error: message, details }, { status });
}

/** Maps what a route handler threw to a response: domain errors to their 4xx, zod to 422, the rest to 500. */
export function toErrorResponse(e: unknown): Response {
  if (e instanceof AppError) return errorResponse(e.status, e.message, e.details);
  if (e instanceof ZodError) {
    const issues = e.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return errorResponse(422, issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "), issues);
  }
  logger.error({ err: e }, "unhandled error in route handler");
  return errorResponse(500, "internal error");
}

/** Wraps a route handler so every thrown error becomes a clear JSON response. */
export function route<A extends unknown[]>(handler: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (e) {
      return toErrorResponse(e);
    }
  };
}

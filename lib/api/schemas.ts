import { z } from "zod";

/**
 * Request schemas of routes that have no service module of their own. They live here (not in the
 * route files, which may export only handlers) so that the OpenAPI document describes the very
 * schemas the routes parse with.
 */

/** POST /api/auth/login, as JSON or an HTML form. */
export const LoginBody = z.object({ token: z.string().min(1, "token is required"), next: z.string().optional() });

/** GET /api/collections/:id/clusters?scale= */
export const ClusterScaleQuery = z.object({ scale: z.string().max(40).optional() });

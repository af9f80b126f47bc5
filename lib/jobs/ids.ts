import { z } from "zod";

/** A numeric id from a route segment: `/api/jobs/12` -> 12 (zod error -> 422 otherwise). */
export const IdParam = z.coerce.number().int().positive();

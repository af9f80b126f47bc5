import { notFound } from "next/navigation";
import { AppError, ModelNotReadyError, NotFoundError } from "@/lib/errors";

/** Runs a page's load: a missing thing becomes the 404 page, "not ready yet" a message for the page to show. */
export async function loadOrNotReady<T>(load: () => Promise<T>): Promise<{ data: T } | { notReady: string }> {
  try {
    return { data: await load() };
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    if (e instanceof ModelNotReadyError) return { notReady: e.message };
    if (e instanceof AppError && e.status === 422) notFound();
    throw e;
  }
}

/** The JSON body of a response, or an Error carrying the server's message. */
export async function jsonOrThrow<T>(res: Response): Promise<T> {
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error ?? `request failed (${res.status})`);
  return body as T;
}

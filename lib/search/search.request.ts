import { env } from "@/lib/config/env";
import { PayloadTooLargeError, UnsupportedMediaError, ValidationError } from "@/lib/errors";
import { SearchParams, type SearchQuery } from "./search.schema";

/**
 * Reads a search request: multipart/form-data (an `image` file and/or fields), a JSON body, or a raw
 * image body; parameters may also come in the query string. Empty form fields count as absent.
 */
export async function parseSearchRequest(request: Request): Promise<SearchQuery> {
  const fields: Record<string, unknown> = Object.fromEntries(new URL(request.url).searchParams);
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const maxBytes = env().LA_MAX_FILE_BYTES;
  // Multipart framing adds a little beyond the file itself.
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes + 64 * 1024) {
    throw new PayloadTooLargeError(`a search image may be at most ${maxBytes} bytes`);
  }
  let upload: Buffer | undefined;
  if (type.startsWith("multipart/form-data")) {
    const form = await request.formData().catch(() => {
      throw new ValidationError("malformed multipart body");
    });
    for (const [key, value] of form) {
      if (typeof value === "string") fields[key] = value;
      else if (key === "image") upload = Buffer.from(await value.arrayBuffer());
      else throw new ValidationError(`unexpected file field \`${key}\` (the image goes in \`image\`)`);
    }
  } else if (type.startsWith("application/json")) {
    const body: unknown = await request.json().catch(() => undefined);
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new ValidationError("the body must be a JSON object");
    Object.assign(fields, body);
  } else if (type.startsWith("image/") || type.startsWith("application/octet-stream")) {
    upload = Buffer.from(await request.arrayBuffer());
  } else if (type) {
    throw new UnsupportedMediaError("send multipart/form-data with an `image` file, or JSON with an `imageId`");
  }
  if (upload && upload.length === 0) throw new ValidationError("the uploaded image is empty");
  if (upload && upload.length > maxBytes) throw new PayloadTooLargeError(`a search image may be at most ${maxBytes} bytes`);
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== "" && v !== null));
  return { ...SearchParams.parse(present), upload };
}

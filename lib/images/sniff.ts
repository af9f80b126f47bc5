/**
 * What a file is, judged from its first bytes only (never from its name).
 * `image` kinds are the ones sharp decodes here; the others exist to give a clear reason.
 */
export type Sniffed =
  | { kind: "image"; mime: ImageMime }
  | { kind: "archive"; what: string }
  | { kind: "unsupported-image"; what: string }
  | { kind: "other"; what: string };

export type ImageMime = "image/jpeg" | "image/png" | "image/webp" | "image/gif" | "image/avif" | "image/tiff";

const ascii = (b: Uint8Array, start: number, end: number) => Buffer.from(b.subarray(start, end)).toString("latin1");
const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);

/** True for the local-file or empty-archive signature of a zip. */
export function isZip(b: Uint8Array): boolean {
  return startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]);
}

export function sniff(b: Uint8Array): Sniffed {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { kind: "image", mime: "image/jpeg" };
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: "image", mime: "image/png" };
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP") return { kind: "image", mime: "image/webp" };
  if (ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a") return { kind: "image", mime: "image/gif" };
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: "image", mime: "image/tiff" };
  if (ascii(b, 4, 8) === "ftyp") {
    const brand = ascii(b, 8, 12);
    if (brand === "avif" || brand === "avis") return { kind: "image", mime: "image/avif" };
    if (["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].includes(brand)) {
      return { kind: "unsupported-image", what: "HEIC/HEIF (this server's image library has no HEVC decoder; export as JPEG)" };
    }
    return { kind: "other", what: "a video or other ISO media file" };
  }
  if (isZip(b)) return { kind: "archive", what: "zip archive" };
  if (startsWith(b, [0x1f, 0x8b])) return { kind: "archive", what: "gzip archive" };
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { kind: "archive", what: "7-Zip archive" };
  if (ascii(b, 0, 4) === "Rar!") return { kind: "archive", what: "RAR archive" };
  if (ascii(b, 257, 262) === "ustar") return { kind: "archive", what: "tar archive" };
  if (startsWith(b, [0x42, 0x5a, 0x68])) return { kind: "archive", what: "bzip2 archive" };
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return { kind: "archive", what: "xz archive" };
  if (ascii(b, 0, 2) === "BM") return { kind: "unsupported-image", what: "BMP" };
  if (ascii(b, 0, 5) === "%PDF-") return { kind: "other", what: "a PDF document" };
  if (looksLikeText(b)) {
    return /^\s*<(\?xml|svg)/i.test(ascii(b, 0, 256)) ? { kind: "unsupported-image", what: "SVG/XML" } : { kind: "other", what: "a text file" };
  }
  return { kind: "other", what: "an unknown binary format" };
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0 || (c < 0x09) || (c > 0x0d && c < 0x20 && c !== 0x1b)) return false;
  }
  return n > 0;
}

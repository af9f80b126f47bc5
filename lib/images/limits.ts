import { env } from "@/lib/config/env";

/** What one ingest may accept; every value comes from the environment (lib/config/env.ts). */
export interface IngestLimits {
  /** Largest single file (an image, or a zip uploaded as one part). */
  maxFileBytes: number;
  /** Largest upload request, all parts together. */
  maxRequestBytes: number;
  /** Most decoded pixels of one image (width x height), against decompression bombs. */
  maxPixels: number;
  /** Most entries in one zip archive, and most files in one upload request. */
  maxZipEntries: number;
  /** Most bytes one zip may unpack to, summed over its entries (against zip bombs). */
  maxZipBytes: number;
}

export function ingestLimits(overrides: Partial<IngestLimits> = {}): IngestLimits {
  const e = env();
  return {
    maxFileBytes: e.LA_MAX_FILE_BYTES,
    maxRequestBytes: e.LA_MAX_REQUEST_BYTES,
    maxPixels: e.LA_MAX_PIXELS,
    maxZipEntries: e.LA_MAX_ZIP_ENTRIES,
    maxZipBytes: e.LA_MAX_ZIP_BYTES,
    ...overrides,
  };
}

/** "50 MiB", "1.5 GiB": sizes in rejection reasons. */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

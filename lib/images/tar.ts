/**
 * A small streaming reader for (gzipped) tar archives, enough for npm package tarballs: ustar names
 * with prefix, GNU long names ('L') and pax 'path' records. Entries are read one at a time; `want`
 * decides which bodies are kept in memory (the others are skipped without buffering).
 */
import fs from "node:fs";
import { createGunzip } from "node:zlib";

export interface TarEntry {
  name: string;
  data: Buffer;
}

export async function* readTarGz(file: string, want: (name: string) => boolean): AsyncGenerator<TarEntry> {
  let buf: Buffer = Buffer.alloc(0);
  let longName: string | null = null;
  // state: reading a header, or `remaining` bytes of a body (+ padding) to keep or skip
  let body: { name: string; size: number; padded: number; keep: boolean; kind: string } | null = null;
  let chunks: Buffer[] = [];
  let got = 0;
  for await (const chunk of fs.createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (!body) {
        if (buf.length < 512) break;
        const h = buf.subarray(0, 512);
        buf = buf.subarray(512);
        if (h.every((b) => b === 0)) continue; // end-of-archive blocks
        const str = (a: number, b: number) => h.subarray(a, b).toString("utf8").replace(/\0.*$/s, "");
        const size = parseInt(str(124, 136).trim() || "0", 8);
        const kind = String.fromCharCode(h[156] || 0x30);
        const prefix = str(257, 263).startsWith("ustar") ? str(345, 500) : "";
        const name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
        if (kind !== "L" && kind !== "x") longName = null;
        const meta = kind === "L" || kind === "x";
        body = { name, size, padded: Math.ceil(size / 512) * 512, keep: meta || (kind === "0" && want(name)), kind };
        chunks = [];
        got = 0;
      }
      const take = Math.min(body.padded - got, buf.length);
      if (body.keep && got < body.size) chunks.push(buf.subarray(0, Math.min(take, body.size - got)));
      got += take;
      buf = buf.subarray(take);
      if (got < body.padded) break;
      const data = Buffer.concat(chunks);
      const done = body;
      body = null;
      if (done.kind === "L") longName = data.toString("utf8").replace(/\0.*$/s, "");
      else if (done.kind === "x") longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1] ?? null;
      else if (done.keep) yield { name: done.name, data };
    }
  }
}

import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { sniff } from "@/lib/images/sniff";
import { makeZip } from "../../helpers/zip";

const solid = () => sharp({ create: { width: 8, height: 8, channels: 3, background: "#888" } });

describe("sniff", () => {
  it("should recognise every accepted image format from its bytes", async () => {
    const cases: [Buffer, string][] = [
      [await solid().jpeg().toBuffer(), "image/jpeg"],
      [await solid().png().toBuffer(), "image/png"],
      [await solid().webp().toBuffer(), "image/webp"],
      [await solid().gif().toBuffer(), "image/gif"],
      [await solid().avif().toBuffer(), "image/avif"],
      [await solid().tiff().toBuffer(), "image/tiff"],
    ];
    for (const [bytes, mime] of cases) expect(sniff(bytes)).toEqual({ kind: "image", mime });
  });

  it("should name what a non-image is, never trusting a name", () => {
    expect(sniff(Buffer.from("hello world\n"))).toEqual({ kind: "other", what: "a text file" });
    expect(sniff(Buffer.from("%PDF-1.7 ..."))).toEqual({ kind: "other", what: "a PDF document" });
    expect(sniff(makeZip([{ name: "a", data: "b" }]))).toEqual({ kind: "archive", what: "zip archive" });
    expect(sniff(Buffer.from([0x1f, 0x8b, 8, 0]))).toMatchObject({ kind: "archive", what: "gzip archive" });
    expect(sniff(Buffer.from('<?xml version="1.0"?><svg/>'))).toMatchObject({ kind: "unsupported-image", what: "SVG/XML" });
    expect(sniff(Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypheic")]))).toMatchObject({ kind: "unsupported-image" });
    expect(sniff(Buffer.from([0, 1, 2, 3, 250, 251]))).toEqual({ kind: "other", what: "an unknown binary format" });
  });
});

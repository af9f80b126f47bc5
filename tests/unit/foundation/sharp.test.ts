import sharp from "sharp";
import { describe, expect, it } from "vitest";

describe("sharp", () => {
  it("should resize inside a box without enlarging and keep the aspect ratio", async () => {
    const src = await sharp({ create: { width: 400, height: 200, channels: 3, background: "#3366cc" } }).jpeg().toBuffer();
    const out = await sharp(src).resize(128, 128, { fit: "inside", withoutEnlargement: true }).webp().toBuffer({ resolveWithObject: true });
    expect([out.info.width, out.info.height, out.info.format]).toEqual([128, 64, "webp"]);
    const small = await sharp(src).resize(1000, 1000, { fit: "inside", withoutEnlargement: true }).toBuffer({ resolveWithObject: true });
    expect([small.info.width, small.info.height]).toEqual([400, 200]);
  });

  it("should reject bytes that are not an image", async () => {
    await expect(sharp(Buffer.from("definitely not a jpeg")).metadata()).rejects.toThrow(/unsupported image format/);
  });
});

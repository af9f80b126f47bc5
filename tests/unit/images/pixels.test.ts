import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { deriveImage } from "@/lib/images/derive";
import { pixelFormat, toModelPixels } from "@/lib/images/pixels";

describe("pixelFormat", () => {
  it("should default to 32 x 3 and read valid settings only", () => {
    expect(pixelFormat({})).toEqual({ resolution: 32, channels: 3 });
    expect(pixelFormat(null)).toEqual({ resolution: 32, channels: 3 });
    expect(pixelFormat({ resolution: 28, channels: 1, lr: 0.1 })).toEqual({ resolution: 28, channels: 1 });
    expect(pixelFormat({ resolution: "64", channels: 2 })).toEqual({ resolution: 32, channels: 3 });
  });
});

describe("toModelPixels", () => {
  it("should give raw uint8 HWC of res x res x ch", async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#102030" } }).jpeg().toBuffer();
    expect((await toModelPixels(jpeg, 32, 3)).length).toBe(32 * 32 * 3);
    expect((await toModelPixels(jpeg, 28, 1)).length).toBe(28 * 28);
  });

  it("should flatten transparency onto white", async () => {
    const clear = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect(new Set(await toModelPixels(clear, 16, 3))).toEqual(new Set([255]));
  });

  it("should centre-crop (cover) and apply the EXIF orientation first", async () => {
    // Left half red, right half blue, 200x100; EXIF 6 turns it upright to 100x200: red on top.
    const raw = Buffer.alloc(200 * 100 * 3);
    for (let y = 0; y < 100; y++) for (let x = 0; x < 200; x++) raw.set(x < 100 ? [255, 0, 0] : [0, 0, 255], (y * 200 + x) * 3);
    const jpeg = await sharp(raw, { raw: { width: 200, height: 100, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const px = await toModelPixels(jpeg, 8, 3);
    const at = (x: number, y: number) => [...px.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)];
    expect(at(4, 0)[0]).toBeGreaterThan(200); // top: red
    expect(at(4, 7)[2]).toBeGreaterThan(200); // bottom: blue
  });

  it("should equal the pixels ingest caches for the same bytes", async () => {
    const png = await sharp({ create: { width: 300, height: 170, channels: 4, background: { r: 10, g: 200, b: 90, alpha: 0.7 } } }).png().toBuffer();
    const derived = await deriveImage(png, "image/png", { resolution: 32, channels: 3 }, 1e8);
    expect(Buffer.from(derived.pixels)).toEqual(Buffer.from(await toModelPixels(png, 32, 3)));
  });

  it("should refuse an image over the pixel limit before decoding it", async () => {
    const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: "#000" } }).png().toBuffer();
    await expect(deriveImage(big, "image/png", { resolution: 32, channels: 3 }, 5e6)).rejects.toMatchObject({ status: 413 });
  });

  it("should read capture time and camera from the EXIF of any format", async () => {
    for (const fmt of ["jpeg", "png", "webp"] as const) {
      const bytes = await sharp({ create: { width: 40, height: 20, channels: 3, background: "#369" } })
        [fmt]()
        .withExif({ IFD0: { Make: "FUJIFILM", Model: "X-T5" }, IFD2: { DateTimeOriginal: "2023:02:03 04:05:06" } })
        .toBuffer();
      const d = await deriveImage(bytes, `image/${fmt}`, { resolution: 32, channels: 3 }, 1e8);
      expect([d.camera, d.takenAt?.getUTCFullYear()]).toEqual(["FUJIFILM X-T5", 2023]);
    }
  });
});

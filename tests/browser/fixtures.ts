import sharp from "sharp";

/**
 * Photos for the browser tests: four classes that differ in shape and colour (so clusters and
 * neighbours have an obvious right answer), each image with its own position, size, rotation and a
 * noisy background tint, drawn from a seed.
 */
export const SHAPE_CLASSES = ["red-circle", "blue-square", "green-triangle", "orange-stripes"] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

/** The class a file name belongs to (`blue-square-07.jpg`, `shapes/blue-square-07.png`, ...). */
export function classOf(name: string): ShapeClass | null {
  return SHAPE_CLASSES.find((c) => name.includes(c)) ?? null;
}

function rng(seed: number): (n: number) => number {
  let s = (seed * 2654435761) % 2 ** 31;
  return (n) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * n;
  };
}

function shapeSvg(kind: ShapeClass, seed: number, size: number): string {
  const r = rng(seed + 1);
  const grey = 200 + Math.floor(r(50));
  const bg = `rgb(${grey},${grey - Math.floor(r(20))},${grey - Math.floor(r(30))})`;
  const cx = size / 2 + r(size / 4) - size / 8;
  const cy = size / 2 + r(size / 4) - size / 8;
  const s = size * (0.22 + r(0.12));
  const rot = Math.floor(r(360));
  const jitter = (base: number) => Math.max(0, Math.min(255, base + Math.floor(r(50)) - 25));
  let body: string;
  switch (kind) {
    case "red-circle":
      body = `<circle cx="${cx}" cy="${cy}" r="${s}" fill="rgb(${jitter(215)},${jitter(35)},${jitter(45)})"/>`;
      break;
    case "blue-square":
      body = `<rect x="${cx - s}" y="${cy - s}" width="${2 * s}" height="${2 * s}" fill="rgb(${jitter(40)},${jitter(80)},${jitter(210)})" transform="rotate(${rot % 90} ${cx} ${cy})"/>`;
      break;
    case "green-triangle": {
      const pts = [0, 120, 240].map((a) => {
        const t = ((a + rot) * Math.PI) / 180;
        return `${cx + 1.3 * s * Math.cos(t)},${cy + 1.3 * s * Math.sin(t)}`;
      });
      body = `<polygon points="${pts.join(" ")}" fill="rgb(${jitter(40)},${jitter(160)},${jitter(60)})"/>`;
      break;
    }
    case "orange-stripes": {
      const w = size / 9;
      body = Array.from({ length: 5 }, (_, i) => `<rect x="0" y="${(2 * i + 0.5) * w + r(w / 2)}" width="${size}" height="${w}" fill="rgb(${jitter(240)},${jitter(150)},${jitter(30)})"/>`).join("");
      body = `<g transform="rotate(${rot % 30 - 15} ${size / 2} ${size / 2})">${body}</g>`;
      break;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="${bg}"/>${body}</svg>`;
}

/** One photo of a class as PNG or JPEG bytes. */
export async function shapePhoto(kind: ShapeClass, seed: number, format: "png" | "jpeg" = "jpeg", size = 96): Promise<Buffer> {
  const img = sharp(Buffer.from(shapeSvg(kind, seed, size)));
  return format === "png" ? img.png().toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}

/** `perClass` photos of every class, named `<class>-<nn>.<ext>`. */
export async function shapePhotos(perClass: number, from = 0, format: "png" | "jpeg" = "jpeg"): Promise<{ name: string; kind: ShapeClass; data: Buffer }[]> {
  const ext = format === "png" ? "png" : "jpg";
  const jobs = SHAPE_CLASSES.flatMap((kind, k) =>
    Array.from({ length: perClass }, (_, i) => ({ kind, i: from + i, seed: 1000 * (k + 1) + from + i })),
  );
  return Promise.all(
    jobs.map(async ({ kind, i, seed }) => ({ name: `${kind}-${String(i).padStart(2, "0")}.${ext}`, kind, data: await shapePhoto(kind, seed, format) })),
  );
}

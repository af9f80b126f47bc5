/**
 * Training presets: how many epochs quick / standard / thorough mean for a collection of n images,
 * and how long each is expected to take. Larger collections get fewer epochs (each epoch has more
 * steps). Throughput comes from the collection's last trained model when there is one, else from a
 * measured reference (reference encoder, WASM backend, 2 cores) scaled by pixels per image.
 */
export const presetNames = ["quick", "standard", "thorough"] as const;
export type PresetName = (typeof presetNames)[number];

export interface Preset {
  name: PresetName;
  epochs: number;
  /** Expected wall time of training plus indexing, seconds. */
  expectedSeconds: number;
  /** Images per second the estimate assumes, and where that number came from. */
  imgPerSec: number;
  basis: "measured" | "reference";
}

/**
 * Training images/s of the reference encoder on this machine's class (2 cores, WASM), measured through
 * the worker: 35-50 img/s at 28x28x1 and batch 24-48. Small images are bound by per-step overhead,
 * so below 32x32x3 the rate is taken as flat; above, it falls with the pixel count.
 */
export const REFERENCE_IMG_PER_SEC_32x3 = 40;
const REFERENCE_PIXELS = 32 * 32 * 3;

const EPOCHS: Record<PresetName, [small: number, medium: number, large: number]> = {
  quick: [5, 3, 2],
  standard: [20, 10, 5],
  thorough: [60, 30, 15],
};

export function presetEpochs(name: PresetName, n: number): number {
  const [small, medium, large] = EPOCHS[name];
  return n <= 5_000 ? small : n <= 50_000 ? medium : large;
}

/** The preset chosen when none is asked for: standard, or quick for collections above 50k images. */
export function defaultPreset(n: number): PresetName {
  return n > 50_000 ? "quick" : "standard";
}

/** Images/s to expect at a resolution, from a measurement (if any) or the reference. */
export function expectedThroughput(resolution: number, channels: number, measured?: { imgPerSec: number; resolution: number; channels: number }) {
  const cost = (res: number, ch: number) => Math.max(REFERENCE_PIXELS, res * res * ch);
  if (measured && measured.imgPerSec > 0) {
    return { imgPerSec: (measured.imgPerSec * cost(measured.resolution, measured.channels)) / cost(resolution, channels), basis: "measured" as const };
  }
  return { imgPerSec: (REFERENCE_IMG_PER_SEC_32x3 * REFERENCE_PIXELS) / cost(resolution, channels), basis: "reference" as const };
}

export function computePresets(n: number, resolution: number, channels: number, measured?: { imgPerSec: number; resolution: number; channels: number }): Preset[] {
  const { imgPerSec, basis } = expectedThroughput(resolution, channels, measured);
  return presetNames.map((name) => {
    const epochs = presetEpochs(name, n);
    // training epochs, plus one inference pass for the index (~3x faster than a training step)
    const expectedSeconds = Math.round((epochs * n) / imgPerSec + n / (3 * imgPerSec) + 5);
    return { name, epochs, expectedSeconds, imgPerSec: Math.round(imgPerSec), basis };
  });
}

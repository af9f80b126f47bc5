/**
 * Training presets: how many epochs quick / standard / thorough mean for a collection of n images,
 * and how long each is expected to take. A preset is a budget of SGD steps, not of epochs: on a 3.8k
 * collection 5 epochs are only 150 steps, and the Fashion-MNIST study (10k images) showed IR needs
 * about 1500 steps before it passes a random network. Larger collections get fewer epochs. Throughput
 * comes from the collection's last trained model when there is one, else from a measured reference
 * (reference encoder, WASM backend, 2 training threads) scaled by pixels per image.
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
 * Training images/s of the reference encoder on this machine's class (2 cores, WASM with the native
 * OpenBLAS kernels, 2 threads, batch 128): the emoji demo (3767 images, 32x32x3) trained its quick preset
 * at 865 img/s on a quiet machine with the fused native batch norm (534-611 before it, 215-234 before the
 * native kernels); `npm run bench -- train` gives 769 (IR) and 625 (LA) at 28x28x1 with a 60k bank. Below
 * 32x32x3 the rate is taken as flat; above, it falls with the pixel count.
 */
export const REFERENCE_IMG_PER_SEC_32x3 = 800;
const REFERENCE_PIXELS = 32 * 32 * 3;

/** SGD steps of each preset, and the epochs it may take (tiny collections would otherwise run for ever). */
const BUDGET: Record<PresetName, { steps: number; minEpochs: number; maxEpochs: number }> = {
  quick: { steps: 800, minEpochs: 2, maxEpochs: 30 },
  standard: { steps: 2500, minEpochs: 5, maxEpochs: 100 },
  thorough: { steps: 8000, minEpochs: 10, maxEpochs: 300 },
};

/** On a CPU anything beyond quick takes long; the user chooses it knowing the expected duration. */
export const DEFAULT_PRESET: PresetName = "quick";

export function presetEpochs(name: PresetName, n: number, batchSize = Math.min(128, n)): number {
  const { steps, minEpochs, maxEpochs } = BUDGET[name];
  const epochs = Math.ceil((steps * batchSize) / Math.max(1, n));
  return Math.min(maxEpochs, Math.max(minEpochs, epochs));
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

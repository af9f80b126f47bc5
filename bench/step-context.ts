// The training state the step benchmarks run on: the reference CNN, random pixels, a random unit bank
// and random cluster labels (speed does not depend on what the images show).
import { resolveConfig } from "@/lib/la/config";
import { createEncoder, disposeEncoder } from "@/lib/la/encoder";
import { MemoryBank } from "@/lib/la/memory-bank";
import { Rng } from "@/lib/la/rng";
import { createMomentum, type StepContext } from "@/lib/la/train-step";

export interface BenchShape {
  resolution: number;
  channels: 1 | 3;
  n: number;
  batch: number;
  kBg: number;
}

export function createBenchContext(shape: BenchShape, rng: Rng) {
  const { resolution, channels, n, batch, kBg } = shape;
  const pixels = Uint8Array.from({ length: n * resolution * resolution * channels }, () => rng.int(256));
  const config = resolveConfig({ resolution, channels, batchSize: batch, kBg, m: 300, clusterings: 3 }, n);
  const encoder = createEncoder({ resolution, channels, widthMultiplier: 1, embeddingDim: 128 }, 0);
  const bank = MemoryBank.random(n, 128, rng);
  const labels = Int32Array.from({ length: 3 * n }, () => rng.int(300));
  const ctx: StepContext = { config, encoder, bank, momentum: createMomentum(encoder), labels, pixels };
  const perm = rng.permutation(n);
  let cursor = 0;
  const nextBatch = () => perm.subarray((cursor = (cursor + batch) % (n - batch)), cursor + batch);
  const dispose = () => {
    disposeEncoder(encoder);
    bank.dispose();
    for (const m of ctx.momentum.values()) m.dispose();
  };
  return { ctx, nextBatch, dispose };
}

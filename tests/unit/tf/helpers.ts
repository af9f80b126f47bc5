import * as tf from "@tensorflow/tfjs";
import { useBackend } from "@/lib/tf/backend";
import { registerWasmKernels } from "@/lib/tf/kernels";

export type Shape4 = [number, number, number, number];

/** Deterministic values in [-1, 1) (an LCG), identical on every backend. */
export function seeded(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Runs `fn` on the cpu backend (the reference) and on wasm (with the project's kernels, the convolutions
 * native or not), returning
 * each backend's outputs as plain arrays. Asserts that neither the engine's tensors nor the backend's
 * data buffers leak, which also catches intermediates a kernel forgot to release.
 */
export async function onCpuAndWasm(fn: () => tf.Tensor[], { native = true } = {}): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const results: Record<"cpu" | "wasm", Float32Array[]> = { cpu: [], wasm: [] };
  for (const name of ["cpu", "wasm"] as const) {
    await useBackend(name);
    if (name === "wasm") registerWasmKernels({ native });
    const before = tf.memory();
    const outs = fn();
    results[name] = outs.map((t) => t.dataSync() as Float32Array);
    tf.dispose(outs);
    const after = tf.memory();
    if (after.numTensors !== before.numTensors || after.numDataBuffers !== before.numDataBuffers) {
      throw new Error(
        `${name}: leaked ${after.numTensors - before.numTensors} tensors, ${after.numDataBuffers - before.numDataBuffers} data buffers`,
      );
    }
  }
  return results;
}

/** max |a - b| / max |b|: the error relative to the reference's scale. */
export function relError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

/**
 * Tile for the WASM backend when the result is whole copies of x laid end to end: every tiled axis
 * comes before every axis of x longer than 1 (e.g. [1,1,1,C] tiled by [B,H,W,1], as in the BatchNorm
 * gradient). The copies are made with copyWithin, doubling the filled prefix each time: memcpy speed,
 * against the built-in's per-element index arithmetic. Other cases go to the built-in.
 * Shapes: x [d0..], reps [r0..] -> [d0*r0, ...].
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { builtinSetup, runWasm } from "./wasm-ops";

function isWholeCopies(shape: number[], reps: number[]): boolean {
  const lastTiled = reps.reduce((last, r, i) => (r !== 1 ? i : last), -1);
  return shape.every((d, i) => i > lastTiled || d === 1);
}

function tile(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  if (x.dtype !== "float32" || !isWholeCopies(x.shape, reps)) return runWasm(backend, tf.Tile, { x }, { reps });
  const out = backend.makeOutput(x.shape.map((d, i) => d * reps[i]), "float32");
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  if (dst.length === 0) return out;
  dst.set(src);
  for (let filled = src.length; filled < dst.length; filled *= 2) {
    dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
  }
  return out;
}

export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: "wasm",
  kernelFunc: tile,
  setupFunc: builtinSetup(tf.Tile),
};

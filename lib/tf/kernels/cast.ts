/**
 * Cast for the WASM backend: a cast to the dtype x already has shares x's buffer instead of copying it
 * (tf.moments casts its float32 input to float32). Other casts go to the built-in.
 * Shapes: x -> same shape, attrs.dtype.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { shareData } from "./identity";
import { runWasm } from "./wasm-ops";

function cast(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (dtype === x.dtype && dtype !== "string") return shareData(backend, x);
  return runWasm(backend, tf.Cast, { x }, { dtype });
}

export const castConfig: tf.KernelConfig = {
  kernelName: tf.Cast,
  backendName: "wasm",
  kernelFunc: cast,
};

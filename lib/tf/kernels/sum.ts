/**
 * Sum for the WASM backend over a contiguous block of axes of a float32 tensor, read in place
 * (see reduce-contiguous.ts: the built-in transposes first). Other cases go to the built-in.
 * Shapes: x [..., R..., ...] -> the reduced axes removed (or kept as 1 with keepDims).
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { planContiguousReduce, reduceContiguous } from "./reduce-contiguous";
import { builtinSetup, runWasm } from "./wasm-ops";

function sum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const plan = planContiguousReduce(x, axis, keepDims);
  if (!plan) return runWasm(backend, tf.Sum, { x }, { axis, keepDims });
  return reduceContiguous(backend, x, plan, 1);
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: "wasm",
  kernelFunc: sum,
  setupFunc: builtinSetup(tf.Sum),
};

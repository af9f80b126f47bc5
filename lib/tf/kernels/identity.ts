/**
 * Identity for the WASM backend without a copy: the result shares x's buffer (reference-counted, as
 * the backend's own Reshape does). Why: the engine clones every tensor it saves for the gradient tape
 * through Identity, and the built-in copies the whole buffer each time (93 full activation copies per
 * training step of the reference CNN). No WASM kernel writes into its inputs, so sharing is safe.
 * Shapes: x -> same shape and dtype. Strings go to the built-in.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { runWasm } from "./wasm-ops";

/** A new TensorInfo on x's buffer; the backend frees the buffer when the last holder is disposed. */
export function shareData(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === "string") return runWasm(backend, tf.Identity, { x });
  return shareData(backend, x);
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: "wasm",
  kernelFunc: identity,
};

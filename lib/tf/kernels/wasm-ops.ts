/**
 * Calls the WASM backend's own kernels from inside the project's kernels, on TensorInfos, without the
 * engine: nothing is recorded on the gradient tape or in tf.profile, so every intermediate must be
 * released with `release` (the pattern of tfjs-backend-wasm's composite kernels, e.g. Mean).
 * The built-in kernel functions are captured when this module loads, before the project registers
 * replacements under the same names, so a replacement can still reach the original.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

type Attrs = Record<string, unknown>;
type Inputs = Record<string, tf.TensorInfo>;

const builtins = new Map<string, tf.KernelConfig>();

function builtin(kernelName: string): tf.KernelConfig {
  let config = builtins.get(kernelName);
  if (!config) {
    config = tf.getKernel(kernelName, "wasm");
    if (!config) throw new Error(`WASM backend has no kernel '${kernelName}'`);
    builtins.set(kernelName, config);
  }
  return config;
}

// Capture the built-ins that the project replaces before the replacements are registered.
for (const name of ["Conv2D", "FusedConv2D", "Conv2DBackpropInput", "BatchMatMul", "TopK", "Sum", "Mean", "Tile", "Identity", "Cast", "FusedBatchNorm", "Transpose"]) builtin(name);

/** The built-in kernel's config, to restore it after a replacement. */
export function builtinConfig(kernelName: string): tf.KernelConfig {
  return builtin(kernelName);
}

/** Runs the WASM backend's built-in kernel `kernelName`; the caller owns (and releases) the result. */
export function runWasm(backend: BackendWasm, kernelName: string, inputs: Inputs, attrs: Attrs = {}): tf.TensorInfo {
  return builtin(kernelName).kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

/**
 * The setup of a replaced built-in (it binds the native function). A replacement registered before the
 * backend initialises must run it, or a fallback to the built-in would call an unbound function.
 */
export function builtinSetup(kernelName: string): tf.KernelSetupFunc | undefined {
  return builtin(kernelName).setupFunc;
}

/** Frees intermediates produced by `runWasm`. */
export function release(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Transposes through the registered Transpose kernel (the project's fast path when registered). */
export function transpose(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  const config = tf.getKernel(tf.Transpose, "wasm");
  return config.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

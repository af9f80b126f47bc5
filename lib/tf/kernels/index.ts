/**
 * Registers the project's own WASM kernels (the WASM backend lacks Conv2DBackpropFilter and has a slow
 * Conv2DBackpropInput). Idempotent; returns the names of the kernels it registered.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilterConfig } from "./conv2d-backprop-filter";
import { conv2dBackpropInputConfig } from "./conv2d-backprop-input";
import { castConfig } from "./cast";
import { fusedBatchNormConfig } from "./fused-batch-norm";
import { identityConfig } from "./identity";
import { meanConfig } from "./mean";
import { sumConfig } from "./sum";
import { tileConfig } from "./tile";
import { transposeConfig } from "./transpose";

const configs: tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  sumConfig,
  meanConfig,
  tileConfig,
  identityConfig,
  castConfig,
  fusedBatchNormConfig,
  transposeConfig,
];

export function registerWasmKernels(): string[] {
  for (const config of configs) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    // Replacing a built-in: unregister first, or registerKernel warns about the duplicate.
    if (current) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
  return configs.map((c) => c.kernelName);
}

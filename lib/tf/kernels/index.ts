/**
 * Registers the project's own WASM kernels (the WASM backend lacks Conv2DBackpropFilter and has a slow
 * Conv2DBackpropInput). Convolutions, matmul, top-k and the fused batch norm run on the native BLAS addon
 * when it is built (native.ts) and LA_NATIVE_KERNELS is not "0"; else the convolution gradients run on
 * the XNNPACK-based kernels of this folder, the rest on the built-ins, and batch norm on ops.
 * Idempotent; returns the names of the kernels it registered and whether the native ones are in use.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilterConfig } from "./conv2d-backprop-filter";
import { conv2dBackpropInputConfig } from "./conv2d-backprop-input";
import { castConfig } from "./cast";
import { fusedBatchNormConfig } from "./fused-batch-norm";
import { identityConfig } from "./identity";
import { meanConfig } from "./mean";
import { BN_RELU, BN_RELU_GRAD, loadNativeKernels, nativeConfigs, NEAREST_CENTROID } from "./native";
import { sumConfig } from "./sum";
import { tileConfig } from "./tile";
import { transposeConfig } from "./transpose";
import { builtinConfig } from "./wasm-ops";

const common: tf.KernelConfig[] = [sumConfig, meanConfig, tileConfig, identityConfig, castConfig, fusedBatchNormConfig, transposeConfig];

export function registerWasmKernels({ native = process.env.LA_NATIVE_KERNELS !== "0" } = {}): { kernels: string[]; native: boolean } {
  const useNative = native && loadNativeKernels() !== null;
  const convs = useNative
    ? nativeConfigs
    : [...[tf.Conv2D, tf.FusedConv2D, tf.BatchMatMul, tf.TopK].map(builtinConfig), conv2dBackpropFilterConfig, conv2dBackpropInputConfig];
  // The project's own kernel names have no built-in to fall back to: without the addon they are absent.
  if (!useNative) for (const name of [BN_RELU, BN_RELU_GRAD, NEAREST_CENTROID]) if (tf.getKernel(name, "wasm")) tf.unregisterKernel(name, "wasm");
  for (const config of [...convs, ...common]) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    // Replacing a kernel: unregister first, or registerKernel warns about the duplicate.
    if (current) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
  const names = useNative ? nativeConfigs.map((c) => c.kernelName) : [tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput];
  return { kernels: [...names, ...common.map((c) => c.kernelName)], native: useNative };
}

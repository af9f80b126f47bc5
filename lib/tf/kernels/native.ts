/**
 * Conv2D, FusedConv2D (bias, ReLU), Conv2DBackpropFilter, Conv2DBackpropInput, BatchMatMul and TopK for
 * the WASM backend, computed by the project's addon native/kernels (im2col + OpenBLAS sgemm, a
 * partial sort) directly on the WASM heap; and kernels of the project's own: BN_RELU and BN_RELU_GRAD
 * (training-mode batch norm fused with ReLU and its gradient, which lib/la/batch-norm.ts uses when they
 * are registered: 3 and 2 passes over the activations instead of ~8 and ~9 ops), and NEAREST_CENTROID
 * (k-means' assignment in lib/la/kmeans.ts: one sgemm and an argmax, instead of a matMul, a Sub and an
 * ArgMax over [n, m] in WASM).
 * Why: convolutions were ~85% of a training step and the bank similarities most of the rest; XNNPACK
 * inside WASM runs them at ~35 GFLOP/s on one core (128-bit SIMD), OpenBLAS's AVX-512 sgemm at
 * 110-160 GFLOP/s on the same shapes (bench/kernels.ts has the per-kernel profile).
 *
 * Heap views are taken after every output is allocated (an allocation may grow the WASM memory, which
 * detaches older views), and the addon allocates nothing on the WASM heap.
 * Only float32, NHWC and dilation 1 go native; anything else runs the kernel this one replaced.
 * `loadNativeKernels()` returns null when the addon is not built (scripts/build-native.sh builds it).
 */
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { conv2dBackpropFilterConfig } from "./conv2d-backprop-filter";
import { conv2dBackpropInputConfig } from "./conv2d-backprop-input";
import { builtinSetup, runWasm } from "./wasm-ops";

interface NativeKernels {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, dims: Int32Array, bias?: Float32Array | null, relu?: boolean): void;
  backpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, dims: Int32Array): void;
  backpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, dims: Int32Array): void;
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, dims: Int32Array): void;
  topk(x: Float32Array, values: Float32Array, indices: Int32Array, rows: number, n: number, k: number, sorted: boolean): void;
  nearestCentroid(x: Float32Array, centroids: Float32Array, labels: Int32Array, n: number, d: number, m: number): void;
  bnReluForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, m: number, c: number, eps: number): void;
  bnReluBackward(dy: Float32Array, x: Float32Array, y: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, m: number, c: number, eps: number): void;
}

let addon: NativeKernels | null | undefined;

export function loadNativeKernels(): NativeKernels | null {
  if (addon !== undefined) return addon;
  const file = path.resolve(/* turbopackIgnore: true */ process.cwd(), "native/kernels/build/Release/la_kernels.node");
  addon = null;
  if (fs.existsSync(file)) {
    const m = { exports: {} as NativeKernels };
    process.dlopen(m, file);
    addon = m.exports;
  }
  return addon;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function convInfo(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo | null {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
  if (dataFormat === "NCHW") return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides, dilations ?? 1, pad, dimRoundingMode, false, "channelsLast",
  );
  return info.dilationHeight === 1 && info.dilationWidth === 1 ? info : null;
}

function dims(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth,
  );
}

const heap = (backend: BackendWasm, t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
const floats = (...ts: (tf.TensorInfo | undefined)[]) => ts.every((t) => !t || t.dtype === "float32");

function conv2d({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo {
  const backend = b as BackendWasm;
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const info = floats(x, filter) && convInfo(x.shape, filter.shape, attrs!);
  if (!info) return runWasm(backend, tf.Conv2D, inputs as Record<string, tf.TensorInfo>, attrs);
  const y = backend.makeOutput(info.outShape, "float32");
  loadNativeKernels()!.conv2d(heap(backend, x), heap(backend, filter), heap(backend, y), dims(info));
  return y;
}

function fusedConv2d({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo {
  const backend = b as BackendWasm;
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
  const activation = (attrs as unknown as tf.FusedConv2DAttrs).activation;
  const info = floats(x, filter, bias) && convInfo(x!.shape, filter!.shape, attrs!);
  const simpleBias = !bias || bias.shape.length <= 1;
  if (!info || preluActivationWeights || !simpleBias || (activation !== "linear" && activation !== "relu")) {
    return runWasm(backend, tf.FusedConv2D, inputs as Record<string, tf.TensorInfo>, attrs);
  }
  const y = backend.makeOutput(info.outShape, "float32");
  const biasView = bias && (bias.shape.length === 0 || bias.shape[0] === 1)
    ? new Float32Array(info.outChannels).fill(heap(backend, bias)[0]) // a broadcast scalar bias
    : bias && heap(backend, bias);
  loadNativeKernels()!.conv2d(heap(backend, x!), heap(backend, filter!), heap(backend, y), dims(info), biasView, activation === "relu");
  return y;
}

function backpropFilter({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo {
  const backend = b as BackendWasm;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape, filterShape, attrs!);
  if (!info) return conv2dBackpropFilterConfig.kernelFunc({ inputs, backend, attrs: attrs! }) as tf.TensorInfo;
  const dw = backend.makeOutput(filterShape, "float32");
  loadNativeKernels()!.backpropFilter(heap(backend, x), heap(backend, dy), heap(backend, dw), dims(info));
  return dw;
}

function backpropInput({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo {
  const backend = b as BackendWasm;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convInfo(inputShape, filter.shape, attrs!);
  if (!info) return conv2dBackpropInputConfig.kernelFunc({ inputs, backend, attrs: attrs! }) as tf.TensorInfo;
  const dx = backend.makeOutput(inputShape, "float32");
  loadNativeKernels()!.backpropInput(heap(backend, dy), heap(backend, filter), heap(backend, dx), dims(info));
  return dx;
}

function batchMatMul({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo {
  const backend = b as BackendWasm;
  const { a, b: bb } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(bb.shape.slice(0, -2));
  const sameBatch = tf.util.arraysEqual(a.shape.slice(0, -2), bb.shape.slice(0, -2));
  const broadcastOne = (batchA === 1 && a.shape.length <= bb.shape.length) || (batchB === 1 && bb.shape.length <= a.shape.length);
  const [ra, rb] = [a.shape.length, bb.shape.length];
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? bb.shape[rb - 2] : bb.shape[rb - 1];
  const kB = transposeB ? bb.shape[rb - 1] : bb.shape[rb - 2];
  if (!floats(a, bb) || k !== kB || !(sameBatch || broadcastOne)) {
    return runWasm(backend, tf.BatchMatMul, inputs as Record<string, tf.TensorInfo>, attrs);
  }
  const outer = (a.shape.length >= bb.shape.length ? a : bb).shape.slice(0, -2);
  const out = backend.makeOutput([...outer, m, n], "float32");
  loadNativeKernels()!.matmul(heap(backend, a), heap(backend, bb), heap(backend, out), Int32Array.of(batchA, batchB, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0));
  return out;
}

function topK({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = b as BackendWasm;
  const { x } = inputs as { x: tf.TensorInfo };
  const { k, sorted } = attrs as unknown as tf.TopKAttrs;
  if (!floats(x)) return runWasm(backend, tf.TopK, inputs as Record<string, tf.TensorInfo>, attrs) as unknown as tf.TensorInfo[];
  const n = x.shape[x.shape.length - 1];
  const shape = [...x.shape.slice(0, -1), k];
  const values = backend.makeOutput(shape, "float32");
  const indices = backend.makeOutput(shape, "int32");
  loadNativeKernels()!.topk(heap(backend, x), heap(backend, values), backend.typedArrayFromHeap(indices) as Int32Array, tf.util.sizeFromShape(x.shape) / n, n, k, sorted);
  return [values, indices];
}

export const NEAREST_CENTROID = "LaNearestCentroid";

// x [n, d], centroids [m, d] -> labels [n] int32: the nearest centroid (squared Euclidean), k-means' assignment.
function nearestCentroid({ inputs, backend: b }: KernelArgs): tf.TensorInfo {
  const backend = b as BackendWasm;
  const { x, centroids } = inputs as Record<string, tf.TensorInfo>;
  const [n, d] = x.shape;
  const labels = backend.makeOutput([n], "int32");
  loadNativeKernels()!.nearestCentroid(heap(backend, x), heap(backend, centroids), backend.typedArrayFromHeap(labels) as Int32Array, n, d, centroids.shape[0]);
  return labels;
}

export const BN_RELU = "LaBatchNormRelu";
export const BN_RELU_GRAD = "LaBatchNormReluGrad";

// x [..., C], gamma, beta [C]; attrs eps -> y like x, batch mean and biased variance [C].
function bnRelu({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = b as BackendWasm;
  const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  const c = x.shape[x.shape.length - 1];
  const y = backend.makeOutput(x.shape, "float32");
  const mean = backend.makeOutput([c], "float32");
  const variance = backend.makeOutput([c], "float32");
  const m = tf.util.sizeFromShape(x.shape) / c;
  loadNativeKernels()!.bnReluForward(heap(backend, x), heap(backend, gamma), heap(backend, beta), heap(backend, y), heap(backend, mean), heap(backend, variance), m, c, (attrs as { eps: number }).eps);
  return [y, mean, variance];
}

// dy, x, y (the forward output), gamma, mean, variance; attrs eps -> dx, dgamma, dbeta.
function bnReluGrad({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = b as BackendWasm;
  const { dy, x, y, gamma, mean, variance } = inputs as Record<string, tf.TensorInfo>;
  const c = x.shape[x.shape.length - 1];
  const dx = backend.makeOutput(x.shape, "float32");
  const dgamma = backend.makeOutput([c], "float32");
  const dbeta = backend.makeOutput([c], "float32");
  const m = tf.util.sizeFromShape(x.shape) / c;
  loadNativeKernels()!.bnReluBackward(
    heap(backend, dy), heap(backend, x), heap(backend, y), heap(backend, gamma), heap(backend, mean), heap(backend, variance),
    heap(backend, dx), heap(backend, dgamma), heap(backend, dbeta), m, c, (attrs as { eps: number }).eps,
  );
  return [dx, dgamma, dbeta];
}

export const nativeConfigs: tf.KernelConfig[] = [
  { kernelName: tf.Conv2D, backendName: "wasm", kernelFunc: conv2d, setupFunc: builtinSetup(tf.Conv2D) },
  { kernelName: tf.FusedConv2D, backendName: "wasm", kernelFunc: fusedConv2d, setupFunc: builtinSetup(tf.FusedConv2D) },
  { kernelName: tf.Conv2DBackpropFilter, backendName: "wasm", kernelFunc: backpropFilter },
  { kernelName: tf.Conv2DBackpropInput, backendName: "wasm", kernelFunc: backpropInput, setupFunc: builtinSetup(tf.Conv2DBackpropInput) },
  { kernelName: tf.BatchMatMul, backendName: "wasm", kernelFunc: batchMatMul, setupFunc: builtinSetup(tf.BatchMatMul) },
  { kernelName: tf.TopK, backendName: "wasm", kernelFunc: topK as unknown as tf.KernelFunc, setupFunc: builtinSetup(tf.TopK) },
  { kernelName: NEAREST_CENTROID, backendName: "wasm", kernelFunc: nearestCentroid },
  { kernelName: BN_RELU, backendName: "wasm", kernelFunc: bnRelu as unknown as tf.KernelFunc },
  { kernelName: BN_RELU_GRAD, backendName: "wasm", kernelFunc: bnReluGrad as unknown as tf.KernelFunc },
];

/**
 * Conv2DBackpropFilter for the WASM backend (which has none): the filter gradient of an NHWC conv2d,
 *   dW[kh,kw,ci,co] = sum_{b,oh,ow} x[b, oh*sh + kh - padTop, ow*sw + kw - padLeft, ci] * dy[b,oh,ow,co].
 *
 * Formulation: the sum is itself a stride-1 convolution in which the batch is the reduction channel:
 * input  xT = x transposed to [Ci, H, W, B]   (Ci plays the batch, B the input channels),
 * filter dyT = dy transposed to [Oh, Ow, B, Co] with dilation = the forward stride,
 * explicit padding = the forward padding (bottom/right grown so that at least KH x KW outputs exist).
 * The result [Ci, KH', KW', Co] is cropped to KH x KW and transposed to [KH, KW, Ci, Co].
 * Why: it runs on the backend's XNNPACK convolution (SIMD GEMM) instead of a scalar loop; the two
 * transposes and the crop are memory-bound copies.
 *
 * With few input channels (the first layer: Ci = 1 or 3) that conv has only Ci*KH*KW output rows and
 * runs at ~2 GFLOP/s, so there the kernel builds the patch matrix cols [KH*KW*Ci, B*Oh*Ow] in JS
 * (cheap: KH*KW*Ci values per output pixel) and computes dW = cols . dy[B*Oh*Ow, Co] as one XNNPACK
 * MatMul whose [KH*KW*Ci, Co] result is already the filter layout (layer 1 at 28x28: 32 -> 3 ms).
 *
 * Shapes: x [B,H,W,Ci], dy [B,Oh,Ow,Co], attrs.filterShape [KH,KW,Ci,Co] -> dW [KH,KW,Ci,Co].
 * Only NHWC and dilation 1 (what tf.conv2d's gradient asks for).
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { release, runWasm, transpose } from "./wasm-ops";

/** Input channels up to which the patch-matrix MatMul beats the transposed convolution. */
const maxChannelsForMatMul = 4;

/** cols[(kh*KW + kw)*Ci + ci, (b*Oh + oh)*Ow + ow] = x[b, oh*sh + kh - top, ow*sw + kw - left, ci], 0 outside. */
function patchMatrix(backend: BackendWasm, x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const n = batchSize * outHeight * outWidth;
  const cols = backend.makeOutput([filterHeight * filterWidth * inChannels, n], "float32");
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(cols) as Float32Array;
  dst.fill(0); // malloc'd memory: the taps that fall in the padding must read 0
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        let d = ((kh * filterWidth + kw) * inChannels + ci) * n;
        for (let b = 0; b < batchSize; b++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const h = oh * strideHeight + kh - top;
            if (h < 0 || h >= inHeight) {
              d += outWidth;
              continue;
            }
            const row = (b * inHeight + h) * inWidth;
            for (let ow = 0; ow < outWidth; ow++, d++) {
              const w = ow * strideWidth + kw - left;
              if (w >= 0 && w < inWidth) dst[d] = src[(row + w) * inChannels + ci];
            }
          }
        }
      }
    }
  }
  return cols;
}

function conv2dBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === "NCHW") throw new Error("wasm Conv2DBackpropFilter supports only NHWC");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, "channelsLast",
  );
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  // Rows the forward conv reads, past the input's end, for tap kh = KH-1 of output row Oh-1.
  const bottom = Math.max(0, filterHeight - 1 + (outHeight - 1) * strideHeight - top - (inHeight - 1));
  const right = Math.max(0, filterWidth - 1 + (outWidth - 1) * strideWidth - left - (inWidth - 1));

  if (info.inChannels <= maxChannelsForMatMul) {
    const cols = patchMatrix(backend, x, info); // [KH*KW*Ci, B*Oh*Ow]
    const dy2 = { ...dy, shape: [dy.shape[0] * outHeight * outWidth, info.outChannels] }; // a view of dy
    const dW = runWasm(backend, "BatchMatMul", { a: cols, b: dy2 }, { transposeA: false, transposeB: false });
    release(backend, cols);
    return { ...dW, shape: filterShape }; // [KH*KW*Ci, Co] is [KH, KW, Ci, Co] in memory
  }

  const xT = transpose(backend, x, [3, 1, 2, 0]); // [Ci, H, W, B]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [Oh, Ow, B, Co]
  const full = runWasm(backend, "Conv2D", { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dilations: [strideHeight, strideWidth],
    dataFormat: "NHWC",
  }); // [Ci, KH', KW', Co], KH' >= KH
  release(backend, xT, dyT);
  let cropped = full;
  if (full.shape[1] !== filterHeight || full.shape[2] !== filterWidth) {
    cropped = runWasm(backend, "Slice", { x: full }, { begin: [0, 0, 0, 0], size: [-1, filterHeight, filterWidth, -1] });
    release(backend, full);
  }
  const dW = transpose(backend, cropped, [1, 2, 0, 3]); // [KH, KW, Ci, Co]
  release(backend, cropped);
  return dW;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2dBackpropFilter,
};

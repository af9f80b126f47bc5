/**
 * Conv2DBackpropInput for the WASM backend: the input gradient of an NHWC conv2d,
 *   dx[b,i,j,ci] = sum over (o,k) with o*s + k = i + padTop (same for columns) of dy[b,o,.,co] * W[k,.,ci,co].
 *
 * Formulation (sub-pixel / phase decomposition): with u = i + padTop, the rows of one residue class
 * r = u mod s only meet the taps k = r, r+s, r+2s, ...; so each of the sh*sw phases is a dense stride-1
 * convolution of dy with a small sub-filter (those taps, flipped, channels transposed to [.., Co, Ci]).
 * The phase outputs are then interleaved into dx (and cropped by padTop/padLeft).
 * Why: the built-in kernel is a scalar loop (514 of 812 ms of a probe's step), and the zero-insertion
 * alternative makes s^2 times the necessary multiplications; here every phase runs on XNNPACK and the
 * total work equals the forward conv's. For stride 1 it is one conv with the flipped filter, no interleave.
 *
 * Shapes: dy [B,Oh,Ow,Co], filter [KH,KW,Ci,Co], attrs.inputShape [B,H,W,Ci] -> dx [B,H,W,Ci].
 * Falls back to the built-in kernel for NCHW and for paddings this scheme does not cover (filters
 * smaller than the stride, or explicit pads larger than the filter).
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { builtinSetup, release, runWasm } from "./wasm-ops";

/** One dimension (rows or columns) of the phase decomposition. */
interface Axis {
  stride: number;
  /** Taps per phase: ceil((K - r) / s). */
  taps: number[];
  /** Phase outputs cover u in [s*q0, s*(q0+count)); the crop starts at pad - s*q0. */
  count: number;
  crop: number;
  padBefore: number[];
  padAfter: number[];
}

function planAxis(size: number, outSize: number, filterSize: number, stride: number, pad: number): Axis | null {
  const q0 = Math.floor(pad / stride);
  const count = Math.ceil((pad + size) / stride) - q0;
  const taps: number[] = [];
  const padBefore: number[] = [];
  const padAfter: number[] = [];
  for (let r = 0; r < stride; r++) {
    const m = Math.ceil((filterSize - r) / stride);
    const before = m - 1 - q0;
    const after = count - outSize + q0;
    if (m <= 0 || before < 0 || after < 0) return null;
    taps.push(m);
    padBefore.push(before);
    padAfter.push(after);
  }
  return { stride, taps, count, crop: pad - stride * q0, padBefore, padAfter };
}

/** Sub-filter of phase (rh, rw): taps kh = rh + sh*(Mh-1-jh), kw likewise, as [Mh, Mw, Co, Ci]. */
function subFilter(backend: BackendWasm, w: Float32Array, shape: number[], rows: Axis, cols: Axis, rh: number, rw: number): tf.TensorInfo {
  const [, kw, ci, co] = shape;
  const mh = rows.taps[rh];
  const mw = cols.taps[rw];
  const out = backend.makeOutput([mh, mw, co, ci], "float32");
  const f = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let jh = 0; jh < mh; jh++) {
    const fh = rh + rows.stride * (mh - 1 - jh);
    for (let jw = 0; jw < mw; jw++) {
      const base = (fh * kw + rw + cols.stride * (mw - 1 - jw)) * ci * co;
      for (let c = 0; c < co; c++) for (let i = 0; i < ci; i++) f[o++] = w[base + i * co + c];
    }
  }
  return out;
}

/** Writes phase (rh, rw) [B, Qh, Qw, Ci] into its strided rows/columns of dx [B, H, W, Ci]. */
function scatterPhase(heap: Float32Array, phase: tf.TensorInfo, dx: tf.TensorInfo, rows: Axis, cols: Axis, rh: number, rw: number, backend: BackendWasm): void {
  const [batch, height, width, ci] = dx.shape;
  const src = (backend.dataIdMap.get(phase.dataId)!.memoryOffset as number) / 4;
  const dst = (backend.dataIdMap.get(dx.dataId)!.memoryOffset as number) / 4;
  const { count: qh } = rows;
  const { count: qw } = cols;
  for (let b = 0; b < batch; b++) {
    for (let q = 0; q < qh; q++) {
      const i = rows.stride * q + rh - rows.crop;
      if (i < 0 || i >= height) continue;
      let s = src + ((b * qh + q) * qw) * ci;
      const rowBase = dst + (b * height + i) * width * ci;
      for (let p = 0; p < qw; p++, s += ci) {
        const j = cols.stride * p + rw - cols.crop;
        if (j < 0 || j >= width) continue;
        heap.copyWithin(rowBase + j * ci, s, s + ci);
      }
    }
  }
}

function conv2dBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, "channelsLast",
  );
  const rows = planAxis(info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.padInfo.top);
  const cols = planAxis(info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.padInfo.left);
  if (dataFormat === "NCHW" || !rows || !cols) return runWasm(backend, tf.Conv2DBackpropInput, args.inputs as Record<string, tf.TensorInfo>, attrs as unknown as Record<string, unknown>);

  const w = backend.readSync(filter.dataId) as Float32Array;
  const phases: tf.TensorInfo[] = [];
  for (let rh = 0; rh < rows.stride; rh++) {
    for (let rw = 0; rw < cols.stride; rw++) {
      const f = subFilter(backend, w, filter.shape, rows, cols, rh, rw);
      phases.push(runWasm(backend, "Conv2D", { x: dy, filter: f }, {
        strides: [1, 1],
        pad: [[0, 0], [rows.padBefore[rh], rows.padAfter[rh]], [cols.padBefore[rw], cols.padAfter[rw]], [0, 0]],
        dilations: [1, 1],
        dataFormat: "NHWC",
      })); // [B, Qh, Qw, Ci]
      release(backend, f);
    }
  }
  const [batch, height, width, ci] = inputShape;
  if (phases.length === 1 && rows.crop === 0 && cols.crop === 0 && rows.count === height && cols.count === width) {
    return phases[0];
  }
  const dx = backend.makeOutput([batch, height, width, ci], "float32");
  // Taken after every allocation: growing the WASM heap detaches earlier views.
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  phases.forEach((phase, n) => scatterPhase(heap, phase, dx, rows, cols, Math.floor(n / cols.stride), n % cols.stride, backend));
  release(backend, ...phases);
  return dx;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2dBackpropInput,
  setupFunc: builtinSetup(tf.Conv2DBackpropInput),
};

/**
 * Transpose for the WASM backend when, after dropping size-1 axes and merging axes that stay adjacent,
 * the permutation swaps the outer and inner axis around a fixed middle one: [A, M, C] -> [C, M, A]
 * (A 2-D transpose is M = 1). NHWC <-> CHWN, which Conv2DBackpropFilter needs for x, is this case.
 * Formulation: a JS loop over 8x8 tiles of each [A, C] slice, on the heap, for float32.
 * Why: the built-in computes a full multi-index per element (~7 ns per element on [128,14,14,64]);
 * the tiled loop is ~2 ns. Other permutations go to the built-in (its row-copy cases are fast).
 * Shapes: x [d0..dn-1], attrs.perm -> [d_perm[0], ...].
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { builtinSetup, runWasm } from "./wasm-ops";

/** The shape and permutation with size-1 axes dropped and runs of axes that stay adjacent merged. */
export function simplifyPermutation(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups[groups.length - 1];
    if (last && axis === last[last.length - 1] + 1) last.push(axis);
    else groups.push([axis]);
  }
  // Number the merged axes in input order.
  const byInput = [...groups].sort((a, b) => a[0] - b[0]);
  return {
    shape: byInput.map((g) => g.reduce((n, axis) => n * shape[axis], 1)),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

/** dst[c, m, a] = src[a, m, c]. */
function swapOuterInner(src: Float32Array, dst: Float32Array, a: number, m: number, c: number): void {
  const tile = 8;
  for (let k = 0; k < m; k++) {
    for (let a0 = 0; a0 < a; a0 += tile) {
      const a1 = Math.min(a, a0 + tile);
      for (let c0 = 0; c0 < c; c0 += tile) {
        const c1 = Math.min(c, c0 + tile);
        for (let i = a0; i < a1; i++) {
          const s = (i * m + k) * c;
          for (let j = c0; j < c1; j++) dst[(j * m + k) * a + i] = src[s + j];
        }
      }
    }
  }
}

function transpose(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { perm } = args.attrs as unknown as tf.TransposeAttrs;
  const simple = simplifyPermutation(x.shape, perm);
  const rank = simple.perm.length;
  const swaps = (rank === 2 && simple.perm[0] === 1) || (rank === 3 && simple.perm.join() === "2,1,0");
  if (x.dtype !== "float32" || !swaps) return runWasm(backend, tf.Transpose, { x }, { perm });
  const out = backend.makeOutput(perm.map((axis) => x.shape[axis]), "float32");
  const [a, m, c] = rank === 2 ? [simple.shape[0], 1, simple.shape[1]] : simple.shape;
  swapOuterInner(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array, a, m, c);
  return out;
}

export const transposeConfig: tf.KernelConfig = {
  kernelName: tf.Transpose,
  backendName: "wasm",
  kernelFunc: transpose,
  setupFunc: builtinSetup(tf.Transpose),
};

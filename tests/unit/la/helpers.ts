import * as tf from "@tensorflow/tfjs";
import { Rng } from "@/lib/la/rng";

/** n random unit rows of dimension d, row-major, from a seeded generator. */
export function randomUnitRows(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let k = 0; k < d; k++) norm += (out[i * d + k] = rng.normal()) ** 2;
    for (let k = 0; k < d; k++) out[i * d + k] /= Math.sqrt(norm);
  }
  return out;
}

/** Transposed copy [d, n] of row-major [n, d]. */
export function transposeRows(rows: Float32Array, n: number, d: number): Float32Array {
  const t = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) t[k * n + i] = rows[i * d + k];
  return t;
}

export function dot(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
  return s;
}

/** Asserts that `f` leaves tf.memory().numTensors unchanged, and returns its result. */
export function expectNoLeak<T>(f: () => T, expect: (a: number) => { toBe(b: number): void }): T {
  const before = tf.memory().numTensors;
  const r = f();
  expect(tf.memory().numTensors).toBe(before);
  return r;
}

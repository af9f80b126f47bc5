/**
 * The memory bank of IR / LA (Wu et al. 2018, Sec. 3.2, Eq. 8; LA arXiv:1903.12355, Sec. 3.1):
 * one unit row v̄_i per training image, not trainable, updated after each optimiser step as
 *   v̄_i <- normalize(t·v̄_i + (1-t)·v_i)    (t = bankMomentum = 0.5)
 * with v_i the embedding of the augmented view of that step.
 *
 * Layout deviation: stored transposed, `bankT` [D, N], in one tf.Variable on the backend. On the WASM
 * backend a matMul with transposeB is ~10x slower than a plain one (850 ms vs 81 ms for
 * [128,128]x[128,60000]), and the losses need s = v·bankT and ∂v = (∂s)ᵀ·... in plain layouts only.
 * Notation: v̄ -> bankT columns, t -> momentum.
 * Tensor ownership: the bank owns `bankT`; `rows()` returns a detached Float32Array [N, D].
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "./rng";

export class MemoryBank {
  /** [D, N] float32, unit columns. */
  readonly bankT: tf.Variable;

  private constructor(
    readonly n: number,
    readonly d: number,
    bankT: tf.Tensor2D,
  ) {
    this.bankT = tf.variable(bankT, false);
    bankT.dispose();
  }

  /** Random unit rows (Wu et al. start the bank this way). */
  static random(n: number, d: number, rng: Rng): MemoryBank {
    return MemoryBank.fromRows(MemoryBank.randomRows(n, d, rng), n, d);
  }

  /** Random unit rows [N, D], row-major. */
  static randomRows(n: number, d: number, rng: Rng): Float32Array {
    const rows = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let k = 0; k < d; k++) {
        const g = rng.normal();
        rows[i * d + k] = g;
        norm += g * g;
      }
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < d; k++) rows[i * d + k] *= inv;
    }
    return rows;
  }

  /** From row-major rows [N, D] (a checkpoint, or embeddings when a bank grows). */
  static fromRows(rows: Float32Array, n: number, d: number): MemoryBank {
    if (rows.length !== n * d) throw new Error(`bank rows: expected ${n * d} values, got ${rows.length}`);
    return new MemoryBank(n, d, tf.tidy(() => tf.transpose(tf.tensor2d(rows, [n, d]))));
  }

  /**
   * Mixes the batch embeddings into their rows: v̄_i <- normalize(t·v̄_i + (1-t)·v_i).
   * idx: [B] int32 distinct row indices; embeddings: [B, D] (no gradient). Other rows are untouched.
   */
  update(idx: tf.Tensor1D, embeddings: tf.Tensor2D, momentum: number): void {
    const next = tf.tidy(() => {
      const b = idx.shape[0];
      const old = tf.gather(this.bankT, idx, 1); // [D, B]
      const mixed = tf.add(tf.mul(old, momentum), tf.mul(tf.transpose(embeddings), 1 - momentum)); // [D, B]
      const unit = tf.div(mixed, tf.norm(mixed, 2, 0, true)); // [D, B]
      // Element indices (k, idx_j) of the D x B entries of the columns to replace.
      const rowsK = tf.tile(tf.reshape(tf.range(0, this.d, 1, "int32"), [this.d, 1]), [1, b]); // [D, B]
      const cols = tf.tile(tf.reshape(idx, [1, b]), [this.d, 1]); // [D, B]
      const indices = tf.reshape(tf.stack([rowsK, cols], 2), [this.d * b, 2]); // [D*B, 2]
      return tf.tensorScatterUpdate(this.bankT, indices, tf.reshape(unit, [this.d * b])); // [D, N]
    });
    this.bankT.assign(next);
    next.dispose();
  }

  /** Row-major copy [N, D] (detached). */
  rows(): Float32Array {
    const t = this.bankT.dataSync() as Float32Array; // [D, N]
    const out = new Float32Array(this.n * this.d);
    for (let k = 0; k < this.d; k++) {
      const base = k * this.n;
      for (let i = 0; i < this.n; i++) out[i * this.d + k] = t[base + i];
    }
    return out;
  }

  dispose(): void {
    this.bankT.dispose();
  }
}

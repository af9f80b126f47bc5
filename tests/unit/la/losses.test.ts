import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "@/lib/tf/backend";
import { computeIRLoss, computeLALoss } from "@/lib/la/losses";
import { Rng } from "@/lib/la/rng";
import { dot, randomUnitRows, transposeRows } from "./helpers";

interface Problem {
  v: Float32Array;
  bank: Float32Array;
  idx: Int32Array;
  labels: Int32Array;
  b: number;
  d: number;
  n: number;
  h: number;
}

function makeProblem(b: number, d: number, n: number, h: number, m: number, seed: number): Problem {
  const rng = new Rng(seed);
  const idx = rng.permutation(n).slice(0, b);
  const labels = Int32Array.from({ length: h * n }, () => rng.int(m));
  return { v: randomUnitRows(b, d, seed + 1), bank: randomUnitRows(n, d, seed + 2), idx, labels, b, d, n, h };
}

/** Slow reference of LA-SPEC.md: L_i = -log(Σ_{B∩C} exp(s/τ) / Σ_B exp(s/τ)), B = top-k ∪ {i}. */
function referenceLA(p: Problem, k: number, tau: number): number {
  let total = 0;
  for (let i = 0; i < p.b; i++) {
    const sims = Array.from({ length: p.n }, (_, j) => dot(p.v, i, p.bank, j, p.d));
    const order = Array.from(sims.keys()).sort((a, c) => sims[c] - sims[a]);
    const bg = new Set(order.slice(0, k));
    bg.add(p.idx[i]);
    let num = 0;
    let den = 0;
    for (const j of bg) {
      const e = Math.exp(sims[j] / tau);
      den += e;
      let close = false;
      for (let hh = 0; hh < p.h; hh++) close ||= p.labels[hh * p.n + j] === p.labels[hh * p.n + p.idx[i]];
      if (close) num += e;
    }
    total += -Math.log(num / den);
  }
  return total / p.b;
}

function tensors(p: Problem) {
  return {
    v: tf.tensor2d(p.v, [p.b, p.d]),
    bankT: tf.tensor2d(transposeRows(p.bank, p.n, p.d), [p.d, p.n]),
    idx: tf.tensor1d(p.idx, "int32"),

  };
}

/** Autodiff reference of the LA loss: dense [B, N] masks built in JS, gradient by the tape. */
function denseLA(p: Problem, k: number, tau: number, v: tf.Tensor2D, bankT: tf.Tensor2D): tf.Scalar {
  const bgMask = new Float32Array(p.b * p.n);
  const closeMask = new Float32Array(p.b * p.n);
  for (let i = 0; i < p.b; i++) {
    const sims = Array.from({ length: p.n }, (_, j) => dot(p.v, i, p.bank, j, p.d));
    const order = Array.from(sims.keys()).sort((a, c) => sims[c] - sims[a]);
    for (const j of [...order.slice(0, k), p.idx[i]]) {
      bgMask[i * p.n + j] = 1;
      for (let hh = 0; hh < p.h; hh++) if (p.labels[hh * p.n + j] === p.labels[hh * p.n + p.idx[i]]) closeMask[i * p.n + j] = 1;
    }
  }
  const logits = tf.div(tf.matMul(v, bankT), tau);
  const lse = (mask: Float32Array) => tf.logSumExp(tf.add(logits, tf.mul(tf.sub(1, tf.tensor2d(mask, [p.b, p.n])), -1e9)), 1);
  return tf.mean(tf.sub(lse(bgMask), lse(closeMask))) as tf.Scalar;
}

// WASM runs the project's native matmul / top-k kernels (transposed operands in the gradients).
describe.each(["cpu", "wasm"] as const)("losses on %s", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it("(a) LA with labels[h][j] = j and kBg = N equals the full-softmax IR loss", () => {
    const p = makeProblem(6, 16, 40, 3, 1, 11);
    p.labels = Int32Array.from({ length: p.h * p.n }, (_, x) => x % p.n);
    const t = tensors(p);
    for (const tau of [0.07, 0.5]) {
      const la = computeLALoss(t.v, t.bankT, t.idx, p.labels, p.n, tau);
      const ir = computeIRLoss(t.v, t.bankT, t.idx, tau);
      const viaTf = tf.losses.softmaxCrossEntropy(tf.oneHot(t.idx, p.n), tf.div(tf.matMul(t.v, t.bankT), tau));
      expect(la.dataSync()[0]).toBeCloseTo(ir.dataSync()[0], 5);
      expect(ir.dataSync()[0]).toBeCloseTo(viaTf.dataSync()[0], 5);
      tf.dispose([la, ir, viaTf]);
    }
    tf.dispose(Object.values(t));
  });

  it.each([
    [4, 8, 50, 2, 5, 10, 0.07],
    [8, 16, 64, 3, 8, 64, 0.07],
    [5, 32, 100, 1, 10, 20, 0.5],
    [3, 8, 30, 3, 30, 5, 0.01],
  ])("(b) log-sum-exp LA loss equals -log(num/den) (B=%i D=%i N=%i H=%i m=%i k=%i τ=%f)", (b, d, n, h, m, k, tau) => {
    const p = makeProblem(b, d, n, h, m, b * 100 + n);
    const t = tensors(p);
    const before = tf.memory().numTensors;
    const loss = computeLALoss(t.v, t.bankT, t.idx, p.labels, k, tau);
    expect(Math.abs(loss.dataSync()[0] - referenceLA(p, k, tau))).toBeLessThan(1e-5 * Math.max(1, referenceLA(p, k, tau)));
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(t));
  });

  it("LA gradient equals autodiff through a dense masked softmax", () => {
    const p = makeProblem(5, 12, 60, 2, 6, 7);
    const k = 15;
    const tau = 0.1;
    const t = tensors(p);
    const before = tf.memory().numTensors;
    const ours = tf.grad((x: tf.Tensor) => computeLALoss(x as tf.Tensor2D, t.bankT, t.idx, p.labels, k, tau))(t.v);
    const ref = tf.grad((x: tf.Tensor) => denseLA(p, k, tau, x as tf.Tensor2D, t.bankT))(t.v);
    const [err, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0], tf.max(tf.abs(ref)).dataSync()[0]]);
    expect(scale).toBeGreaterThan(1e-3);
    expect(err).toBeLessThan(1e-5 * scale + 1e-7);
    tf.dispose([ours, ref]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(t));
  });

  it("IR gradient equals autodiff of softmax cross-entropy", () => {
    const p = makeProblem(6, 10, 30, 1, 1, 3);
    const t = tensors(p);
    const tau = 0.07;
    const ours = tf.grad((x: tf.Tensor) => computeIRLoss(x as tf.Tensor2D, t.bankT, t.idx, tau))(t.v);
    const ref = tf.grad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(t.idx, p.n), tf.div(tf.matMul(x as tf.Tensor2D, t.bankT), tau)))(t.v);
    expect(tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([ours, ref, ...Object.values(t)]);
  });

  it("is 0 when every background neighbour is a close neighbour, and finite at tiny τ", () => {
    const p = makeProblem(4, 8, 20, 2, 1, 5);
    const t = tensors(p); // m = 1: everything shares one cluster
    const zero = computeLALoss(t.v, t.bankT, t.idx, p.labels, 10, 0.07);
    expect(Math.abs(zero.dataSync()[0])).toBeLessThan(1e-6);
    const distinct = Int32Array.from({ length: 2 * p.n }, (_, x) => x % p.n);
    const sharp = computeLALoss(t.v, t.bankT, t.idx, distinct, 10, 0.002);
    expect(Number.isFinite(sharp.dataSync()[0])).toBe(true);
    tf.dispose([zero, sharp, ...Object.values(t)]);
  });

  it("rejects kBg above the bank size", () => {
    const p = makeProblem(2, 4, 10, 1, 2, 1);
    const t = tensors(p);
    expect(() => computeLALoss(t.v, t.bankT, t.idx, p.labels, 11, 0.07)).toThrow(/kBg 11 exceeds the bank size 10/);
    tf.dispose(Object.values(t));
  });
});

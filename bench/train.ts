// `npm run bench -- train [--json] [--steps S] [--threads T=2]`: IR and LA training steps of the reference CNN at
// 28x28x1, batch 128, a 60k-row bank, k_bg = 4096 (the PyTorch bar in STACK.md uses the same
// settings), inference throughput, one k-means run (m = 300, 20 iterations, 60k x 128), and a
// per-phase profile of a step. With --json the last stdout line is one JSON object.
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "@/lib/tf/backend";
import { augmentBatch, gatherPixels } from "@/lib/la/augment";
import { resolveConfig } from "@/lib/la/config";
import { embed } from "@/lib/la/embed";
import { createEncoder, disposeEncoder, encodeTrain, normalizeInput } from "@/lib/la/encoder";
import { kmeans } from "@/lib/la/kmeans";
import { computeIRLoss, computeLALoss } from "@/lib/la/losses";
import { MemoryBank } from "@/lib/la/memory-bank";
import { Rng } from "@/lib/la/rng";
import { createMomentum, runTrainStep, type StepContext } from "@/lib/la/train-step";
import { ParallelEngine } from "@/lib/la/parallel/pool";
import { snapshotEncoder } from "@/lib/la/embed";

const N = 60000;
const RES = 28;
const BATCH = 128;

/** Median milliseconds of `reps` runs of f (after one warm-up); f's tensors are disposed. */
function timeMs(f: () => tf.Tensor | tf.Tensor[] | void, reps: number): number {
  const times: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const out = f();
    const outs = out ? (Array.isArray(out) ? out : [out]) : [];
    for (const t of outs) t.dataSync();
    if (r > 0) times.push(performance.now() - t0);
    tf.dispose(outs);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({ args: argv, options: { json: { type: "boolean", default: false }, steps: { type: "string", default: "6" }, threads: { type: "string", default: "2" } } });
  const steps = Number(a.steps);
  const threads = Number(a.threads);
  const backend = await initBackend();
  console.error(`backend: ${backend.name}`);
  const rng = new Rng(1);
  const pixels = Uint8Array.from({ length: N * RES * RES }, () => rng.int(256));
  const config = resolveConfig({ resolution: RES, channels: 1, batchSize: BATCH, kBg: 4096, m: 300, clusterings: 3 }, N);
  const encoder = createEncoder({ resolution: RES, channels: 1, widthMultiplier: 1, embeddingDim: 128 }, 0);
  const bank = MemoryBank.random(N, 128, rng);
  const labels = tf.tensor2d(Int32Array.from({ length: 3 * N }, () => rng.int(300)), [3, N], "int32");
  const ctx: StepContext = { config, encoder, bank, momentum: createMomentum(encoder), labels, pixels };
  const perm = rng.permutation(N);
  let cursor = 0;
  const nextBatch = () => perm.subarray((cursor = (cursor + BATCH) % (N - BATCH)), cursor + BATCH);

  const stepMs = (phase: "ir" | "la") => timeMs(() => runTrainStep(ctx, nextBatch(), phase, 0.03, rng.int(2 ** 31)), steps);
  const irMs1 = stepMs("ir");
  const laMs1 = stepMs("la");

  // The same steps data-parallel on `threads` workers (one WASM backend each).
  const engine = await ParallelEngine.create({ config, n: N, pixels, tensors: snapshotEncoder(encoder), bank: bank.rows(), labels: labels.dataSync() as Int32Array }, threads);
  const parallelMs = async (phase: "ir" | "la") => {
    const times: number[] = [];
    for (let r = 0; r <= steps; r++) {
      const t0 = performance.now();
      await engine.step(nextBatch(), phase, 0.03, r);
      if (r > 0) times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  };
  const irMsP = await parallelMs("ir");
  const laMsP = await parallelMs("la");
  const t2 = performance.now();
  await engine.recluster();
  const parallelKmeansS = (performance.now() - t2) / 1000;
  await engine.dispose();
  const [irMs, laMs] = threads > 1 ? [irMsP, laMsP] : [irMs1, laMs1];

  const batch = nextBatch();
  const x = normalizeInput(augmentBatch(gatherPixels(pixels, batch, RES, 1), config.augmentation, rng));
  const idx = tf.tensor1d(batch, "int32");
  const v = tf.tidy(() => tf.keep(encodeTrain(encoder, x).embeddings));
  const trainable = encoder.params.filter((p) => p.kind !== "stat").map((p) => p.variable);
  const probe = tf.randomNormal([BATCH, 128]);
  const bankT = bank.bankT as tf.Tensor2D;
  const profile = {
    augment: timeMs(() => tf.tidy(() => normalizeInput(augmentBatch(gatherPixels(pixels, batch, RES, 1), config.augmentation, rng))), steps),
    forward: timeMs(() => tf.tidy(() => encodeTrain(encoder, x).embeddings), steps),
    forward_backward: timeMs(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(encodeTrain(encoder, x).embeddings, probe)), trainable);
      return [value, ...Object.values(grads)];
    }, steps),
    ir_loss_fwd_bwd: timeMs(() => tf.grad((e: tf.Tensor) => computeIRLoss(e as tf.Tensor2D, bankT, idx, 0.07))(v), steps),
    la_loss_fwd_bwd: timeMs(() => tf.grad((e: tf.Tensor) => computeLALoss(e as tf.Tensor2D, bankT, idx, labels, 4096, 0.07))(v), steps),
    similarity_matmul: timeMs(() => tf.matMul(v, bankT), steps),
    topk_4096: timeMs(() => tf.tidy(() => tf.topk(tf.matMul(v, bankT), 4096).indices), steps),
    bank_update: timeMs(() => bank.update(idx, v, 0.5), steps),
  };
  tf.dispose([x, idx, v, probe]);

  const embedImgs = 8192;
  const t0 = performance.now();
  await embed(encoder, pixels.subarray(0, embedImgs * RES * RES), embedImgs);
  const embedPerSec = embedImgs / ((performance.now() - t0) / 1000);
  const rows = bank.rows();
  const t1 = performance.now();
  kmeans(rows, N, 128, { m: 300, seed: 1234, iterations: 20 });
  const kmeansS = (performance.now() - t1) / 1000;

  disposeEncoder(encoder);
  bank.dispose();
  labels.dispose();
  for (const m of ctx.momentum.values()) m.dispose();

  const report = {
    ir_img_per_s: Number(((BATCH / irMs) * 1000).toFixed(1)),
    la_img_per_s: Number(((BATCH / laMs) * 1000).toFixed(1)),
    embed_img_per_s: Number(embedPerSec.toFixed(1)),
    kmeans_s: Number(kmeansS.toFixed(2)),
    backend: backend.name,
    threads,
    single_thread: { ir_img_per_s: Number(((BATCH / irMs1) * 1000).toFixed(1)), la_img_per_s: Number(((BATCH / laMs1) * 1000).toFixed(1)) },
    parallel_recluster_3x_s: Number(parallelKmeansS.toFixed(2)),
    ir_step_ms: Number(irMs.toFixed(1)),
    la_step_ms: Number(laMs.toFixed(1)),
    profile_ms: Object.fromEntries(Object.entries(profile).map(([k, ms]) => [k, Number(ms.toFixed(1))])),
  };
  if (a.json) console.log(JSON.stringify(report));
  else console.log(report);
  return 0;
}

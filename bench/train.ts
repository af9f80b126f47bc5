// `npm run bench -- train [--json] [--steps S] [--threads T=2]`: IR and LA training steps of the reference CNN at
// 28x28x1, batch 128, a 60k-row bank, k_bg = 4096 (the PyTorch bar in STACK.md uses the same
// settings), inference throughput, one k-means run (m = 300, 20 iterations, 60k x 128), the
// re-clustering before an LA epoch on `threads` workers (H = 3, on the bank and on fresh embeddings),
// and a per-phase profile of a step. With --json the last stdout line is one JSON object.
import os from "node:os";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "@/lib/tf/backend";
import { augmentBatch, gatherPixels } from "@/lib/la/augment";
import { embed } from "@/lib/la/embed";
import { encodeTrain, normalizeInput } from "@/lib/la/encoder";
import { kmeans } from "@/lib/la/kmeans";
import { computeIRLoss, computeLALoss } from "@/lib/la/losses";
import { Rng } from "@/lib/la/rng";
import { runTrainStep } from "@/lib/la/train-step";
import { ParallelEngine } from "@/lib/la/parallel/pool";
import { snapshotEncoder } from "@/lib/la/embed";
import { createBenchContext } from "./step-context";

const N = 60000;
const RES = 28;
const BATCH = 128;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median wall and CPU milliseconds of `reps` runs of f (after one warm-up). CPU time is the whole
 * process's (all threads): on a busy machine wall time measures the neighbours, CPU time does not.
 */
async function measure(f: () => Promise<unknown> | tf.Tensor | tf.Tensor[] | void, reps: number): Promise<{ ms: number; cpuMs: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await f();
    const outs = out instanceof tf.Tensor ? [out] : Array.isArray(out) ? out : [];
    for (const t of outs) t.dataSync();
    const c = process.cpuUsage(c0);
    if (r > 0 || reps === 0) {
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    tf.dispose(outs);
  }
  return { ms: median(wall), cpuMs: median(cpu) };
}

/** Profile entries use CPU time (robust to neighbours on a shared machine). */
const cpuMs = async (f: () => tf.Tensor | tf.Tensor[] | void, reps: number) => (await measure(f, reps)).cpuMs;

export async function run(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({ args: argv, options: { json: { type: "boolean", default: false }, steps: { type: "string", default: "6" }, threads: { type: "string", default: "2" } } });
  const steps = Number(a.steps);
  const threads = Number(a.threads);
  const backend = await initBackend();
  console.error(`backend: ${backend.name}`);
  const rng = new Rng(1);
  const { ctx, nextBatch, dispose } = createBenchContext({ resolution: RES, channels: 1, n: N, batch: BATCH, kBg: 4096 }, rng);
  const { config, encoder, bank, labels, pixels } = ctx;

  const single = (phase: "ir" | "la") => measure(() => runTrainStep(ctx, nextBatch(), phase, 0.03, rng.int(2 ** 31)), steps);
  const ir1 = await single("ir");
  const la1 = await single("la");

  // The same steps data-parallel on `threads` workers (one WASM backend each).
  const engine = await ParallelEngine.create({ config, n: N, pixels, tensors: snapshotEncoder(encoder), bank: bank.rows(), labels: labels! }, threads);
  const parallel = (phase: "ir" | "la") => measure(() => engine.step(nextBatch(), phase, 0.03, rng.int(2 ** 31)), steps);
  const irP = await parallel("ir");
  const laP = await parallel("la");
  const t2 = performance.now();
  await engine.recluster();
  const parallelKmeansS = (performance.now() - t2) / 1000;
  await engine.dispose();
  // clusterOn "embeddings": one inference pass over the 60k images, then the same k-means runs
  const onEmbeddings = await ParallelEngine.create(
    { config: { ...config, clusterOn: "embeddings" }, n: N, pixels, tensors: snapshotEncoder(encoder), bank: bank.rows(), labels: labels! },
    threads,
  );
  const t3 = performance.now();
  await onEmbeddings.recluster();
  const parallelEmbeddingsS = (performance.now() - t3) / 1000;
  await onEmbeddings.dispose();
  const [ir, la] = threads > 1 ? [irP, laP] : [ir1, la1];

  const batch = nextBatch();
  const x = normalizeInput(augmentBatch(gatherPixels(pixels, batch, RES, 1), config.augmentation, rng));
  const idx = tf.tensor1d(batch, "int32");
  const v = tf.tidy(() => {
    const out = encodeTrain(encoder, x);
    tf.dispose(out.moments.flatMap((m) => [m.mean, m.variance]));
    return out.embeddings;
  });
  const forwardOnly = () => {
    const out = encodeTrain(encoder, x);
    tf.dispose(out.moments.flatMap((m) => [m.mean, m.variance]));
    return out.embeddings;
  };
  const trainable = encoder.params.filter((p) => p.kind !== "stat").map((p) => p.variable);
  const probe = tf.randomNormal([BATCH, 128]);
  const bankT = bank.bankT as tf.Tensor2D;
  const profile = {
    augment: await cpuMs(() => tf.tidy(() => normalizeInput(augmentBatch(gatherPixels(pixels, batch, RES, 1), config.augmentation, rng))), steps),
    forward: await cpuMs(() => tf.tidy(forwardOnly), steps),
    forward_backward: await cpuMs(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(forwardOnly(), probe)), trainable);
      return [value, ...Object.values(grads)];
    }, steps),
    ir_loss_fwd_bwd: await cpuMs(() => tf.grad((e: tf.Tensor) => computeIRLoss(e as tf.Tensor2D, bankT, idx, 0.07))(v), steps),
    la_loss_fwd_bwd: await cpuMs(() => tf.grad((e: tf.Tensor) => computeLALoss(e as tf.Tensor2D, bankT, idx, labels!, 4096, 0.07))(v), steps),
    similarity_matmul: await cpuMs(() => tf.matMul(v, bankT), steps),
    topk_4096: await cpuMs(() => tf.tidy(() => tf.topk(tf.matMul(v, bankT), 4096).indices), steps),
    bank_update: await cpuMs(() => bank.update(idx, v, 0.5), steps),
  };
  tf.dispose([x, idx, v, probe]);

  const embedImgs = 8192;
  const em = await measure(() => embed(encoder, pixels.subarray(0, embedImgs * RES * RES), embedImgs), 0);
  const rows = bank.rows();
  const km = await measure(() => void kmeans(rows, N, 128, { m: 300, seed: 1234, iterations: 20 }), 0);

  dispose();

  const rate = (ms: number) => Number(((BATCH / ms) * 1000).toFixed(1));
  const report = {
    ir_img_per_s: rate(ir.ms),
    la_img_per_s: rate(la.ms),
    embed_img_per_s: Number(((embedImgs / em.ms) * 1000).toFixed(1)),
    kmeans_s: Number((km.ms / 1000).toFixed(2)),
    embed_img_per_s_cpu: Number(((embedImgs / em.cpuMs) * 1000).toFixed(1)),
    kmeans_cpu_s: Number((km.cpuMs / 1000).toFixed(2)),
    backend: backend.name,
    threads,
    // Rates from CPU time: what the steps would run at with `threads` idle cores (an upper bound:
    // barrier waits and imbalance do not show in CPU time).
    ir_img_per_s_cpu: rate(ir.cpuMs / threads),
    la_img_per_s_cpu: rate(la.cpuMs / threads),
    single_thread: { ir_img_per_s: rate(ir1.ms), la_img_per_s: rate(la1.ms), ir_img_per_s_cpu: rate(ir1.cpuMs), la_img_per_s_cpu: rate(la1.cpuMs) },
    parallel_recluster_3x_s: Number(parallelKmeansS.toFixed(2)),
    parallel_recluster_embeddings_3x_s: Number(parallelEmbeddingsS.toFixed(2)),
    ir_step_ms: Number(ir.ms.toFixed(1)),
    la_step_ms: Number(la.ms.toFixed(1)),
    load_average: os.loadavg().map((l) => Number(l.toFixed(2))),
    profile_cpu_ms: Object.fromEntries(Object.entries(profile).map(([k, ms]) => [k, Number(ms.toFixed(1))])),
  };
  if (a.json) console.log(JSON.stringify(report));
  else console.log(report);
  return 0;
}

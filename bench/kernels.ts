/**
 * `npm run bench -- kernels [--json] [--backend wasm|cpu] [--batch 128] [--steps 5] [--sizes 28x28x1,32x32x3]`
 *
 * Per-kernel profile of one training step (forward + backward + SGD via optimizer.minimize) of the
 * reference CNN of PRODUCT.md: conv3x3(C->32)-BN-ReLU, conv3x3(32->64, s2)-BN-ReLU, conv3x3(64->64)-BN-ReLU,
 * conv3x3(64->128, s2)-BN-ReLU, conv3x3(128->128)-BN-ReLU, global average pool, dense 128, L2 normalise.
 * BN uses batch statistics (training mode). The loss is a fixed random projection of the embeddings.
 * Kernel times come from tf.profile (the WASM backend is synchronous, so they are wall time per kernel);
 * the step time is the median of `steps` unprofiled steps after one warm-up. With --json the last line
 * is one JSON object.
 */
import * as tf from "@tensorflow/tfjs";
import os from "node:os";
import { useBackend } from "../lib/tf/backend";

interface Options {
  json: boolean;
  backend: "wasm" | "cpu";
  batch: number;
  steps: number;
  sizes: [number, number, number][];
}

interface KernelRow {
  kernel: string;
  ms: number;
  calls: number;
}

interface SizeResult {
  input: string;
  batch: number;
  stepMs: number;
  stepMsAll: number[];
  imgPerSec: number;
  profiledMs: number;
  kernels: KernelRow[];
  byShape: { kernel: string; inputShapes: string; ms: number }[];
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  const backend = value("--backend", "wasm");
  if (backend !== "wasm" && backend !== "cpu") throw new Error(`--backend must be wasm or cpu, got ${backend}`);
  const sizes = value("--sizes", "28x28x1,32x32x3")
    .split(",")
    .map((s) => {
      const dims = s.split("x").map(Number);
      if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d <= 0)) throw new Error(`bad size ${s}`);
      return dims as [number, number, number];
    });
  return {
    json: argv.includes("--json"),
    backend,
    batch: Number(value("--batch", "128")),
    steps: Number(value("--steps", "5")),
    sizes,
  };
}

/** The reference CNN's variables, He-initialised. */
function createModel(channels: number) {
  const widths = [channels, 32, 64, 64, 128, 128];
  const strides = [1, 2, 1, 2, 1];
  const layers = strides.map((stride, i) => {
    const [ci, co] = [widths[i], widths[i + 1]];
    return {
      stride,
      filter: tf.variable(tf.randomNormal([3, 3, ci, co], 0, Math.sqrt(2 / (9 * ci)), "float32", i + 1)),
      gamma: tf.variable(tf.ones([co])),
      beta: tf.variable(tf.zeros([co])),
    };
  });
  const dense = tf.variable(tf.randomNormal([128, 128], 0, Math.sqrt(1 / 128), "float32", 99));
  const bias = tf.variable(tf.zeros([128]));
  return { layers, dense, bias };
}

type Model = ReturnType<typeof createModel>;

function forward(model: Model, images: tf.Tensor4D): tf.Tensor2D {
  let h = images;
  for (const { stride, filter, gamma, beta } of model.layers) {
    const z = tf.conv2d(h, filter as tf.Tensor4D, stride, "same");
    const { mean, variance } = tf.moments(z, [0, 1, 2]);
    h = tf.relu(tf.batchNorm(z, mean, variance, beta, gamma, 1e-5));
  }
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D; // [B, 128]
  const embeddings = tf.add(tf.matMul(pooled, model.dense as tf.Tensor2D), model.bias) as tf.Tensor2D;
  return tf.div(embeddings, tf.norm(embeddings, "euclidean", 1, true)) as tf.Tensor2D;
}

async function benchSize(opts: Options, [height, width, channels]: [number, number, number]): Promise<SizeResult> {
  const model = createModel(channels);
  const images = tf.randomNormal([opts.batch, height, width, channels], 0, 1, "float32", 7) as tf.Tensor4D;
  const target = tf.randomNormal([opts.batch, 128], 0, 1, "float32", 8) as tf.Tensor2D;
  const optimizer = tf.train.sgd(0.01);
  const step = () => {
    const loss = optimizer.minimize(() => tf.mul(forward(model, images), target).sum().neg() as tf.Scalar, true);
    loss?.dataSync();
    loss?.dispose();
  };

  step(); // warm-up: XNNPACK operator creation, heap growth
  const stepMsAll: number[] = [];
  for (let i = 0; i < opts.steps; i++) {
    const t0 = performance.now();
    step();
    stepMsAll.push(performance.now() - t0);
  }
  const stepMs = [...stepMsAll].sort((a, b) => a - b)[Math.floor(stepMsAll.length / 2)];

  const profile = await tf.profile(step);
  const byName = new Map<string, KernelRow>();
  const byShapeMap = new Map<string, { kernel: string; inputShapes: string; ms: number }>();
  for (const k of profile.kernels) {
    const ms = Number(k.kernelTimeMs) || 0;
    const row = byName.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
    row.ms += ms;
    row.calls += 1;
    byName.set(k.name, row);
    const inputShapes = JSON.stringify(k.inputShapes);
    const key = `${k.name} ${inputShapes}`;
    const shapeRow = byShapeMap.get(key) ?? { kernel: k.name, inputShapes, ms: 0 };
    shapeRow.ms += ms;
    byShapeMap.set(key, shapeRow);
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
  const byShape = [...byShapeMap.values()].sort((a, b) => b.ms - a.ms).slice(0, 15);

  tf.dispose([images, target, model.dense, model.bias]);
  for (const l of model.layers) tf.dispose([l.filter, l.gamma, l.beta]);
  optimizer.dispose();
  return {
    input: `${height}x${width}x${channels}`,
    batch: opts.batch,
    stepMs,
    stepMsAll,
    imgPerSec: (opts.batch * 1000) / stepMs,
    profiledMs: kernels.reduce((s, k) => s + k.ms, 0),
    kernels,
    byShape,
  };
}

function printResult(r: SizeResult): void {
  console.log(`\n== ${r.input}, batch ${r.batch}: step ${r.stepMs.toFixed(0)} ms (runs ${r.stepMsAll.map((t) => t.toFixed(0)).join(", ")}), ${r.imgPerSec.toFixed(1)} img/s`);
  console.log(`kernel time in the profiled step: ${r.profiledMs.toFixed(0)} ms`);
  console.log("kernel                          ms   calls      %");
  for (const k of r.kernels) {
    if (k.ms < 0.05 * r.profiledMs / 100) continue;
    console.log(`${k.kernel.padEnd(28)} ${k.ms.toFixed(1).padStart(7)} ${String(k.calls).padStart(6)} ${((100 * k.ms) / r.profiledMs).toFixed(1).padStart(6)}`);
  }
  console.log("top kernels by input shapes:");
  for (const s of r.byShape) console.log(`  ${s.ms.toFixed(1).padStart(7)} ms  ${s.kernel} ${s.inputShapes}`);
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseArgs(argv);
  await useBackend(opts.backend);
  const load = os.loadavg().map((l) => l.toFixed(2));
  if (!opts.json) console.log(`backend ${tf.getBackend()}, load average ${load.join(" ")}, ${os.cpus().length} cores`);
  const results: SizeResult[] = [];
  for (const size of opts.sizes) {
    const r = await benchSize(opts, size);
    results.push(r);
    if (!opts.json) printResult(r);
  }
  if (opts.json) {
    console.log(JSON.stringify({ backend: tf.getBackend(), loadAverage: os.loadavg(), results }));
  }
  return 0;
}

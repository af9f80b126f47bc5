/**
 * `npm run bench -- kernels [--json] [--backend wasm|cpu] [--batch 128] [--steps 5] [--sizes 28x28x1,32x32x3] [--phases ir,la] [--bank 60000]`
 *
 * Per-kernel profile of one training step as the trainer runs it (lib/la/train-step.ts runTrainStep:
 * augmentation, the reference CNN with its batch norm, IR or LA loss against a `bank`-row memory bank
 * with k_bg 4096, SGD with momentum and weight decay, BN statistics and the bank update), single thread.
 * Kernel times: every registered kernel function of the backend is wrapped with a timer for one step
 * (the WASM backend is synchronous, so this is wall time per kernel). Top-level kernels (the ones the
 * engine runs) add up to the step's kernel time; kernels that the project's kernels call inside
 * themselves are listed separately as "inner". (tf.profile gave inflated, unstable numbers for the big
 * kernels here, probably GC of the profile's bookkeeping.) The step time is the median of `steps`
 * uninstrumented steps after one warm-up. With --json the last line is one JSON object.
 */
import * as tf from "@tensorflow/tfjs";
import os from "node:os";
import { useBackend } from "../lib/tf/backend";
import { Rng } from "../lib/la/rng";
import { runTrainStep, type Phase } from "../lib/la/train-step";
import { createBenchContext } from "./step-context";

interface Options {
  json: boolean;
  backend: "wasm" | "cpu";
  batch: number;
  steps: number;
  sizes: [number, number, number][];
  phases: Phase[];
  bank: number;
}

interface KernelRow {
  kernel: string;
  ms: number;
  calls: number;
}

interface SizeResult {
  input: string;
  phase: Phase;
  batch: number;
  stepMs: number;
  stepMsAll: number[];
  imgPerSec: number;
  /** Wall time of the instrumented step and the part of it spent in top-level kernels. */
  profiledStepMs: number;
  kernelMs: number;
  kernels: KernelRow[];
  inner: KernelRow[];
  byShape: { kernel: string; inputShapes: string; ms: number }[];
}

/** Wraps every kernel function registered for `backendName` with a timer; `restore` undoes it. */
function instrumentKernels(backendName: string) {
  const top = new Map<string, KernelRow>();
  const inner = new Map<string, KernelRow>();
  const byShape = new Map<string, { kernel: string; inputShapes: string; ms: number }>();
  let depth = 0;
  const originals: [tf.KernelConfig, tf.KernelFunc][] = [];
  for (const config of tf.getKernelsForBackend(backendName)) {
    const original = config.kernelFunc;
    originals.push([config, original]);
    const name = config.kernelName;
    config.kernelFunc = (args) => {
      const t0 = performance.now();
      depth++;
      try {
        return original(args);
      } finally {
        depth--;
        const ms = performance.now() - t0;
        const rows = depth === 0 ? top : inner;
        const row = rows.get(name) ?? { kernel: name, ms: 0, calls: 0 };
        row.ms += ms;
        row.calls += 1;
        rows.set(name, row);
        if (depth === 0) {
          const inputShapes = JSON.stringify(Object.values(args.inputs).map((t) => t?.shape));
          const key = `${name} ${inputShapes}`;
          const shapeRow = byShape.get(key) ?? { kernel: name, inputShapes, ms: 0 };
          shapeRow.ms += ms;
          byShape.set(key, shapeRow);
        }
      }
    };
  }
  const sorted = <T extends { ms: number }>(m: Map<string, T>) => [...m.values()].sort((a, b) => b.ms - a.ms);
  return {
    top: () => sorted(top),
    inner: () => sorted(inner),
    byShape: () => sorted(byShape),
    restore: () => originals.forEach(([config, original]) => (config.kernelFunc = original)),
  };
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  const backend = value("--backend", "wasm");
  if (backend !== "wasm" && backend !== "cpu") throw new Error(`--backend must be wasm or cpu, got ${backend}`);
  const phases = value("--phases", "ir,la").split(",");
  if (phases.some((p) => p !== "ir" && p !== "la")) throw new Error(`--phases must list ir and/or la, got ${phases.join(",")}`);
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
    phases: phases as Phase[],
    bank: Number(value("--bank", "60000")),
  };
}

async function benchSize(opts: Options, [height, width, channels]: [number, number, number], phase: Phase): Promise<SizeResult> {
  if (channels !== 1 && channels !== 3) throw new Error(`channels must be 1 or 3, got ${channels}`);
  if (height !== width) throw new Error(`images must be square, got ${height}x${width}`);
  const rng = new Rng(1);
  const { ctx, nextBatch, dispose } = createBenchContext({ resolution: height, channels, n: opts.bank, batch: opts.batch, kBg: Math.min(4096, opts.bank) }, rng);
  const step = () => {
    const loss = runTrainStep(ctx, nextBatch(), phase, 0.03, rng.int(2 ** 31));
    loss.dataSync();
    loss.dispose();
  };

  step(); // warm-up: XNNPACK operator creation, heap growth
  const stepMsAll: number[] = [];
  for (let i = 0; i < opts.steps; i++) {
    const t0 = performance.now();
    step();
    stepMsAll.push(performance.now() - t0);
  }
  const stepMs = [...stepMsAll].sort((a, b) => a - b)[Math.floor(stepMsAll.length / 2)];

  const probe = instrumentKernels(opts.backend);
  const t0 = performance.now();
  try {
    step();
  } finally {
    probe.restore();
  }
  const profiledStepMs = performance.now() - t0;
  const kernels = probe.top();

  dispose();
  return {
    input: `${height}x${width}x${channels}`,
    phase,
    batch: opts.batch,
    stepMs,
    stepMsAll,
    imgPerSec: (opts.batch * 1000) / stepMs,
    profiledStepMs,
    kernelMs: kernels.reduce((sum, k) => sum + k.ms, 0),
    kernels,
    inner: probe.inner(),
    byShape: probe.byShape().slice(0, 15),
  };
}

function printResult(r: SizeResult): void {
  console.log(`\n== ${r.input}, batch ${r.batch}, ${r.phase}: step ${r.stepMs.toFixed(0)} ms (runs ${r.stepMsAll.map((t) => t.toFixed(0)).join(", ")}), ${r.imgPerSec.toFixed(1)} img/s`);
  console.log(`instrumented step ${r.profiledStepMs.toFixed(0)} ms, of which kernels ${r.kernelMs.toFixed(0)} ms (the rest: engine, tape, JS)`);
  console.log("kernel                          ms   calls  % of step");
  const line = (k: KernelRow, indent: string) =>
    console.log(`${(indent + k.kernel).padEnd(28)} ${k.ms.toFixed(1).padStart(7)} ${String(k.calls).padStart(6)} ${((100 * k.ms) / r.profiledStepMs).toFixed(1).padStart(6)}`);
  for (const k of r.kernels) if (k.ms >= 0.5) line(k, "");
  if (r.inner.length) console.log("inner (called by the project's kernels, included above):");
  for (const k of r.inner) if (k.ms >= 0.5) line(k, "  ");
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
    for (const phase of opts.phases) {
      const r = await benchSize(opts, size, phase);
      results.push(r);
      if (!opts.json) printResult(r);
    }
  }
  if (opts.json) {
    console.log(JSON.stringify({ backend: tf.getBackend(), loadAverage: os.loadavg(), results }));
  }
  return 0;
}

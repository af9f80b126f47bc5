// `npm run la -- eval --dataset fashion-mnist --method la|ir|raw|random [options]`: trains on the
// Fashion-MNIST training set (first N images with --subset), evaluates weighted 200-NN and 1-NN on the
// 10k test images (train features recomputed without augmentation). --density adds the local/background
// density diagnostic and the class purity of the clusters and close sets LA would form from the final
// bank. With --json the last stdout line is one JSON object; everything else goes to stderr.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { initBackend } from "@/lib/tf/backend";
import { closeSetDiagnostic, createEncoder, densityDiagnostic, disposeEncoder, embed, knnAccuracy, loadEncoder, resolveConfig, train, type LAConfig, type LAConfigOverrides } from "@/lib/la";
import { computeRawPixelFeatures } from "@/lib/la/knn";
import { computeClusterLabels } from "@/lib/la/run-state";
import { loadFashionMnist } from "@/lib/la/datasets/fashion-mnist";

const usage = `usage: npm run la -- eval --dataset fashion-mnist --method la|ir|raw|random
  [--epochs E=20] [--warmup W] [--subset N] [--seed S=0] [--json]
  [--m M] [--kbg K] [--lr LR] [--batch B] [--clusterings H] [--wd WD] [--width W]
  [--crop-min A=0.2] [--jitter J=0.4] [--lr-decay E1,E2|none] [--cluster-on bank|embeddings] [--density] [--checkpoint-dir DIR] [--init-from DIR] [--threads T=1]`;


function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new Error(`--${name}: not a number: ${v}`);
  return x;
}

export async function run(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      dataset: { type: "string", default: "fashion-mnist" },
      method: { type: "string" },
      epochs: { type: "string" },
      warmup: { type: "string" },
      subset: { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean", default: false },
      m: { type: "string" },
      kbg: { type: "string" },
      lr: { type: "string" },
      batch: { type: "string" },
      clusterings: { type: "string" },
      wd: { type: "string" },
      width: { type: "string" },
      "crop-min": { type: "string" },
      jitter: { type: "string" },
      "lr-decay": { type: "string" },
      "cluster-on": { type: "string" },
      density: { type: "boolean", default: false },
      "checkpoint-dir": { type: "string" },
      "init-from": { type: "string" },
      threads: { type: "string", default: "1" },
    },
  });
  const method = a.method;
  if (a.dataset !== "fashion-mnist" || !method || !["la", "ir", "raw", "random"].includes(method)) {
    console.error(usage);
    return 2;
  }
  const started = performance.now();
  const backend = await initBackend();
  console.error(`backend: ${backend.name}${backend.nativeKernels ? ", native BLAS kernels" : ""}${backend.customKernels.length ? ` (custom kernels: ${backend.customKernels.join(", ")})` : ""}`);
  const trainSet = await loadFashionMnist("train", num(a.subset, "subset"));
  const testSet = await loadFashionMnist("test");
  const n = trainSet.n;
  const epochs = num(a.epochs, "epochs") ?? 20;
  const dim = trainSet.resolution ** 2;
  const seed = num(a.seed, "seed") ?? 0;
  const overrides: LAConfigOverrides = {
    resolution: trainSet.resolution,
    channels: 1,
    epochs,
    seed,
    ...(method === "ir" ? { warmupEpochs: epochs } : a.warmup !== undefined ? { warmupEpochs: num(a.warmup, "warmup") } : {}),
    ...(a.m && { m: num(a.m, "m") }),
    ...(a.kbg && { kBg: num(a.kbg, "kbg") }),
    ...(a.lr && { lr: num(a.lr, "lr") }),
    ...(a.batch && { batchSize: num(a.batch, "batch") }),
    ...(a.clusterings && { clusterings: num(a.clusterings, "clusterings") }),
    ...(a.wd && { weightDecay: num(a.wd, "wd") }),
    ...(a.width && { widthMultiplier: num(a.width, "width") }),
    ...(a["cluster-on"] && { clusterOn: a["cluster-on"] as LAConfig["clusterOn"] }),
    // Explicit decay epochs let a run branch from another's checkpoint on the same lr schedule.
    ...(a["lr-decay"] && { lrDecayEpochs: a["lr-decay"] === "none" ? [] : a["lr-decay"].split(",").map((e) => num(e, "lr-decay")!) }),
  };
  const jitter = num(a.jitter, "jitter");
  overrides.augmentation = { ...(a["crop-min"] && { cropAreaMin: num(a["crop-min"], "crop-min") }), ...(jitter !== undefined && { brightness: jitter, contrast: jitter }) };
  const config = resolveConfig(overrides, n);
  let trainFeats: Float32Array;
  let testFeats: Float32Array;
  let featDim = config.embeddingDim;
  let imgPerSec = 0;
  let finalLoss: number | undefined;
  let bank: Float32Array | undefined;
  if (method === "raw") {
    featDim = dim;
    trainFeats = computeRawPixelFeatures(trainSet.pixels, n, dim);
    testFeats = computeRawPixelFeatures(testSet.pixels, testSet.n, dim);
  } else {
    const ownDir = !a["checkpoint-dir"];
    const dir = a["checkpoint-dir"] ?? mkdtempSync(path.join(tmpdir(), "la-eval-"));
    try {
      let encoder;
      if (method === "random") {
        encoder = createEncoder({ resolution: config.resolution, channels: 1, widthMultiplier: config.widthMultiplier, embeddingDim: config.embeddingDim }, seed);
      } else {
        const result = await train({
          pixels: trainSet.pixels,
          n,
          config,
          checkpointDir: dir,
          threads: num(a.threads, "threads"),
          ...(a["init-from"] && { init: { fromCheckpointDir: a["init-from"] } }),
          onEpoch: (e) => console.error(`epoch ${e.epoch}/${e.epochs} ${e.phase} loss ${e.loss.toFixed(4)} ${e.imgPerSec.toFixed(0)} img/s ${e.seconds.toFixed(1)} s (k-means ${e.clusterSeconds.toFixed(1)} s)`),
        });
        imgPerSec = result.imgPerSec;
        finalLoss = result.finalLoss;
        bank = result.bank;
        encoder = await loadEncoder(dir);
      }
      trainFeats = await embed(encoder, trainSet.pixels, n);
      testFeats = await embed(encoder, testSet.pixels, testSet.n);
      disposeEncoder(encoder);
    } finally {
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    }
  }
  const knn = knnAccuracy({ train: trainFeats, trainLabels: trainSet.labels, test: testFeats, testLabels: testSet.labels, dim: featDim, k: 200, tau: config.tau });
  const density = a.density && featDim === config.embeddingDim
    ? densityDiagnostic({ rows: bank ?? trainFeats, dim: featDim, kBg: Math.min(config.kBg, n - 1), labels: trainSet.labels, sample: 2000 })
    : undefined;
  // The clusters LA would form from the final bank (for IR too, so the two runs compare).
  const closeSets = density && bank
    ? closeSetDiagnostic({ rows: bank, dim: featDim, kBg: Math.min(config.kBg, n - 1), clusterLabels: computeClusterLabels(bank, n, config), labels: trainSet.labels, sample: 2000 })
    : undefined;
  const report = {
    method,
    dataset: a.dataset,
    epochs: method === "raw" || method === "random" ? 0 : epochs,
    warmup: method === "la" ? config.warmupEpochs : method === "ir" ? epochs : 0,
    subset: n,
    seed,
    m: config.m,
    kBg: config.kBg,
    clusterings: config.clusterings,
    cluster_on: config.clusterOn,
    knn200: Number(knn.knn.toFixed(2)),
    knn1: Number(knn.nn1.toFixed(2)),
    final_loss: finalLoss,
    train_img_per_s: Number(imgPerSec.toFixed(1)),
    threads: num(a.threads, "threads"),
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    backend: backend.name,
    native_kernels: backend.nativeKernels ?? false,
    ...(density && {
      density: {
        local_mean: density.local.mean,
        background_mean: density.background.mean,
        difference_mean: density.difference.mean,
        accuracy_by_difference: density.accuracyByDifference?.map((b) => Number(b.accuracy.toFixed(1))),
      },
    }),
    ...(closeSets && {
      close_sets: {
        cluster_purity: Number(closeSets.clusterPurity.toFixed(3)),
        background_same_class: Number(closeSets.background.sameClass.toFixed(3)),
        close_size: Number(closeSets.close.size.toFixed(1)),
        close_same_class: Number(closeSets.close.sameClass.toFixed(3)),
        close_recall: Number(closeSets.close.recall.toFixed(3)),
      },
    }),
  };
  if (a.json) console.log(JSON.stringify(report));
  else console.log(`${method}: 200-NN ${report.knn200}%  1-NN ${report.knn1}%  (${report.seconds} s, ${report.train_img_per_s} img/s training)`);
  return 0;
}

/**
 * A data-parallel training worker: one replica of the encoder, momentum and memory bank on its own
 * TF.js backend (one WASM instance uses one core). See protocol.ts for the step exchange.
 */
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../tf/backend";
import { embedRange, embedShare } from "../embed";
import { computeClustering, createStepContext, snapshotContext } from "../engine";
import { applyUpdate, computeGradients, type BatchMoments, type StepContext } from "../train-step";
import { sliceBatch, waitBarrier, type FromWorker, type ToWorker, type WorkerInit } from "./protocol";

let init: WorkerInit;
let ctx: StepContext;
let slots: Float32Array;
let ctrl: Int32Array;

function slot(r: number): Float32Array {
  return slots.subarray(r * init.layout.slotFloats, (r + 1) * init.layout.slotFloats);
}

function writeSlot(step: ReturnType<typeof computeGradients>, share: number, count: number): void {
  const { layout } = init;
  const mine = slot(init.rank);
  for (const p of layout.params) {
    const g = step.grads.get(p.name)!.dataSync();
    for (let i = 0; i < p.length; i++) mine[p.offset + i] = g[i] * share;
  }
  let o = layout.gradFloats;
  for (const m of step.moments) {
    mine.set(m.mean.dataSync(), o);
    mine.set(m.variance.dataSync(), o + m.mean.size);
    o += 2 * m.mean.size;
  }
  mine.set(step.embeddings.dataSync(), layout.gradFloats + layout.momentFloats);
  const tail = layout.slotFloats - 2;
  mine[tail] = step.loss.dataSync()[0] * share;
  mine[tail + 1] = count;
}

/** Averages the slots in rank order: gradients, BN moments (pooled) and the batch's embeddings. */
function readSlots(batchSize: number) {
  const { layout, size, config } = init;
  const grads = new Map<string, tf.Tensor>();
  const shapes = new Map(ctx.encoder.params.map((p) => [p.name, p.variable.shape]));
  for (const p of layout.params) {
    const sum = new Float32Array(p.length);
    for (let r = 0; r < size; r++) {
      const s = slot(r);
      for (let i = 0; i < p.length; i++) sum[i] += s[p.offset + i];
    }
    grads.set(p.name, tf.tensor(sum, shapes.get(p.name)!));
  }
  const moments: BatchMoments[] = [];
  let o = layout.gradFloats;
  for (const c of layout.momentChannels) {
    const mean = new Float32Array(c);
    const ex2 = new Float32Array(c);
    for (let r = 0; r < size; r++) {
      const s = slot(r);
      const w = s[layout.slotFloats - 1] / batchSize;
      for (let k = 0; k < c; k++) {
        const mu = s[o + k];
        mean[k] += w * mu;
        ex2[k] += w * (s[o + c + k] + mu * mu);
      }
    }
    moments.push({ mean: tf.tensor1d(mean), variance: tf.tensor1d(ex2.map((e, k) => Math.max(0, e - mean[k] ** 2))) });
    o += 2 * c;
  }
  const d = config.embeddingDim;
  const emb = new Float32Array(batchSize * d);
  let row = 0;
  for (let r = 0; r < size; r++) {
    const s = slot(r);
    const count = s[layout.slotFloats - 1];
    emb.set(s.subarray(layout.gradFloats + layout.momentFloats, layout.gradFloats + layout.momentFloats + count * d), row * d);
    row += count;
  }
  return { grads, moments, embeddings: tf.tensor2d(emb, [batchSize, d]) };
}

/** The rows to cluster (engine.ts computeClusterRows): fresh embeddings are computed by all workers, a share each. */
async function clusterRows(): Promise<Float32Array> {
  if (!init.rows) return ctx.bank.rows();
  const rows = new Float32Array(init.rows);
  const [start, end] = embedShare(init.n, init.rank, init.size);
  await embedRange(ctx.encoder, ctx.pixels, start, end, rows);
  waitBarrier(ctrl, init.size);
  return rows;
}

async function handle(msg: ToWorker): Promise<FromWorker> {
  switch (msg.type) {
    case "init": {
      init = msg.init;
      await useBackend(init.backend);
      ctx = createStepContext({ config: init.config, n: init.n, pixels: new Uint8Array(init.pixels), tensors: init.tensors, bank: init.bank, labels: init.labels });
      slots = new Float32Array(init.slots);
      ctrl = new Int32Array(init.barrier);
      return { type: "ok" };
    }
    case "step": {
      const mine = sliceBatch(msg.batch, init.rank, init.size);
      const step = computeGradients(ctx, mine, msg.phase, msg.augSeed + init.rank);
      writeSlot(step, mine.length / msg.batch.length, mine.length);
      tf.dispose([step.loss, step.embeddings, ...step.grads.values(), ...step.moments.flatMap((m) => [m.mean, m.variance])]);
      waitBarrier(ctrl, init.size);
      applyUpdate(ctx, readSlots(msg.batch.length), msg.batch, msg.lr);
      return { type: "ok" };
    }
    case "labels": {
      ctx.labels = msg.labels;
      return { type: "ok" };
    }
    case "kmeans": {
      const rows = await clusterRows();
      return { type: "clusters", labels: msg.clusterings.map((h) => [h, computeClustering(rows, init.n, init.config, h)]) };
    }
    case "snapshot":
      return { type: "snapshot", tensors: snapshotContext(ctx) };
  }
}

parentPort!.on("message", (msg: ToWorker) => {
  handle(msg).then(
    (reply) => parentPort!.postMessage(reply),
    (e: unknown) => parentPort!.postMessage({ type: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker),
  );
});

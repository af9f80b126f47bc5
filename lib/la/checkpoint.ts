/**
 * Training checkpoints in an explicit directory: everything needed to resume exactly (encoder
 * weights and BN statistics, SGD momentum buffers, memory bank, cluster labels, epoch and step, the
 * current epoch's permutation, RNG state, resolved config), in the spirit of nanoGPT's checkpoint.
 *
 * Files (generation g increases with every save):
 *   checkpoint.json     meta: version, generation, epoch, step, rngState, config, tensor table
 *   tensors-<g>.bin     float32 little-endian, the tensors of the table back to back
 *   ints-<g>.bin        int32: cluster labels [H, N] then the epoch permutation [N]
 * Atomicity: the .bin files of the new generation are written and fsynced first, then checkpoint.json
 * is written to a temp file, fsynced and renamed over the old one (the commit point), then older
 * generations are deleted. A crash at any point leaves a complete checkpoint (old or new).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { LAConfig } from "./config";

export const CHECKPOINT_VERSION = 1;
const META = "checkpoint.json";

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

export interface CheckpointState {
  config: LAConfig;
  n: number;
  /** Completed epochs. */
  epoch: number;
  /** Steps already done inside epoch `epoch` (0 at an epoch boundary). */
  step: number;
  rngState: number;
  /** Mean loss of each completed epoch. */
  epochLosses: number[];
  tensors: Map<string, StoredTensor>;
  labels: Int32Array;
  permutation: Int32Array;
}

interface Meta {
  version: number;
  generation: number;
  config: LAConfig;
  n: number;
  epoch: number;
  step: number;
  rngState: number;
  epochLosses: number[];
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  labelsLength: number;
  permutationLength: number;
}

async function writeDurable(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await fs.open(tmp, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readMeta(dir: string): Promise<Meta | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, META), "utf8")) as Meta;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export async function hasCheckpoint(dir: string): Promise<boolean> {
  return (await readMeta(dir)) !== null;
}

export async function saveCheckpoint(dir: string, state: CheckpointState): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const generation = ((await readMeta(dir))?.generation ?? 0) + 1;
  const table: Meta["tensors"] = [];
  let offset = 0;
  for (const [name, t] of state.tensors) {
    table.push({ name, shape: t.shape, offset, length: t.data.length });
    offset += t.data.length;
  }
  const floats = new Float32Array(offset);
  for (const [i, t] of [...state.tensors.values()].entries()) floats.set(t.data, table[i].offset);
  const ints = new Int32Array(state.labels.length + state.permutation.length);
  ints.set(state.labels, 0);
  ints.set(state.permutation, state.labels.length);
  await writeDurable(path.join(dir, `tensors-${generation}.bin`), new Uint8Array(floats.buffer));
  await writeDurable(path.join(dir, `ints-${generation}.bin`), new Uint8Array(ints.buffer));
  const meta: Meta = {
    version: CHECKPOINT_VERSION,
    generation,
    config: state.config,
    n: state.n,
    epoch: state.epoch,
    step: state.step,
    rngState: state.rngState,
    epochLosses: state.epochLosses,
    tensors: table,
    labelsLength: state.labels.length,
    permutationLength: state.permutation.length,
  };
  await writeDurable(path.join(dir, META), JSON.stringify(meta, null, 1));
  await syncDir(dir);
  for (const f of await fs.readdir(dir)) {
    const g = /^(?:tensors|ints)-(\d+)\.bin$/.exec(f);
    if (g && Number(g[1]) !== generation) await fs.rm(path.join(dir, f), { force: true });
  }
}

/** The checkpoint in `dir`, or null when there is none. Throws on a corrupt or foreign checkpoint. */
export async function loadCheckpoint(dir: string): Promise<CheckpointState | null> {
  const meta = await readMeta(dir);
  if (!meta) return null;
  if (meta.version !== CHECKPOINT_VERSION) throw new Error(`checkpoint ${dir}: version ${meta.version}, expected ${CHECKPOINT_VERSION}`);
  const fbuf = await fs.readFile(path.join(dir, `tensors-${meta.generation}.bin`));
  const ibuf = await fs.readFile(path.join(dir, `ints-${meta.generation}.bin`));
  const floats = new Float32Array(fbuf.buffer.slice(fbuf.byteOffset, fbuf.byteOffset + fbuf.byteLength));
  const ints = new Int32Array(ibuf.buffer.slice(ibuf.byteOffset, ibuf.byteOffset + ibuf.byteLength));
  const total = meta.tensors.reduce((s, t) => s + t.length, 0);
  if (floats.length !== total || ints.length !== meta.labelsLength + meta.permutationLength) {
    throw new Error(`checkpoint ${dir}: data files do not match checkpoint.json (generation ${meta.generation})`);
  }
  const tensors = new Map<string, StoredTensor>();
  for (const t of meta.tensors) tensors.set(t.name, { shape: t.shape, data: floats.subarray(t.offset, t.offset + t.length) });
  return {
    config: meta.config,
    n: meta.n,
    epoch: meta.epoch,
    step: meta.step,
    rngState: meta.rngState,
    epochLosses: meta.epochLosses,
    tensors,
    labels: ints.subarray(0, meta.labelsLength),
    permutation: ints.subarray(meta.labelsLength),
  };
}

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmKernels } from "./kernels";

export type BackendChoice = "auto" | "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  /** The TF.js backend in use: "tensorflow", "wasm" or "cpu". */
  name: string;
  /** Which native package provided "tensorflow", if any. */
  nativePackage?: string;
  /** Kernels the project registered itself (WASM only). */
  customKernels: string[];
  /** WASM only: convolutions, matmul and top-k run on the native BLAS addon (native/kernels). */
  nativeKernels?: boolean;
  /** Why a preferred backend was not used. */
  fallbackReason?: string;
}

let current: Promise<BackendInfo> | undefined;

/** Loads @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node; they register the "tensorflow" backend. */
function loadNative(): { pkg?: string; error?: string } {
  const errors: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(/* turbopackIgnore: true */ pkg);
      return { pkg };
    } catch (e) {
      errors.push(`${pkg}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  return { error: errors.join("; ") };
}

async function activate(name: string): Promise<void> {
  // setBackend resolves false (it does not throw) when a backend fails to start, e.g. a .wasm file that
  // a bundler moved; TF.js would then silently run on the 30x slower cpu backend.
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`TF.js backend "${name}" failed to initialise (running "${tf.getBackend()}")`);
  }
  await tf.ready();
}

/** Activates the backend for a choice, without caching (initBackend is the once-per-process entry). */
export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  let fallbackReason: string | undefined;
  if (choice === "tensorflow" || choice === "auto") {
    const native = loadNative();
    if (native.pkg) {
      await activate("tensorflow");
      return { name: "tensorflow", nativePackage: native.pkg, customKernels: [] };
    }
    if (choice === "tensorflow") throw new Error(`LA_BACKEND=tensorflow but no native package loads: ${native.error}`);
    fallbackReason = "no native TensorFlow package installed";
  }
  if (choice === "cpu") {
    await activate("cpu");
    return { name: "cpu", customKernels: [] };
  }
  const { kernels, native } = registerWasmKernels();
  await activate("wasm");
  return { name: "wasm", customKernels: kernels, nativeKernels: native, fallbackReason };
}

/**
 * Selects the TF.js backend once per process (LA_BACKEND: auto | tensorflow | wasm | cpu).
 * `auto` prefers the native TensorFlow backend and falls back to WebAssembly.
 */
export function initBackend(choice: BackendChoice = (process.env.LA_BACKEND as BackendChoice) || "auto"): Promise<BackendInfo> {
  current ??= selectBackend(choice).catch((e) => {
    current = undefined;
    throw e;
  });
  return current;
}

/** Switches backend within a process (tests compare backends); keeps the project's kernels registered. */
export async function useBackend(name: "wasm" | "cpu"): Promise<void> {
  if (name === "wasm") registerWasmKernels();
  await activate(name);
}

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

/** Migrates one template database with the committed migrations; each test file copies it. */
export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "la-template-"));
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, LA_DATA_DIR: dir, DATABASE_URL: "", CHECKPOINT_DISABLE: "1" },
    stdio: "pipe",
  });
  project.provide("templateDb", path.join(dir, "la.db"));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
  }
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";

// Each test file gets its own data directory with a freshly migrated database, set before any
// lib/ module reads LA_DATA_DIR.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "la-test-"));
fs.copyFileSync(inject("templateDb"), path.join(dir, "la.db"));
process.env.LA_DATA_DIR = dir;
delete process.env.DATABASE_URL;

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

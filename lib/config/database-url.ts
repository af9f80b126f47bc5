import path from "node:path";

/** The data directory, absolute. Shared by the app, the worker, the CLI and prisma.config.ts. */
export function dataDir(env: Record<string, string | undefined> = process.env): string {
  return path.resolve(/* turbopackIgnore: true */ env.LA_DATA_DIR || "./data");
}

/** DATABASE_URL, or an SQLite file inside the data directory. */
export function databaseUrl(env: Record<string, string | undefined> = process.env): string {
  return env.DATABASE_URL || `file:${path.join(dataDir(env), "la.db")}`;
}

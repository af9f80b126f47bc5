// `npm run la -- import <folder|zip> --collection NAME [--labels-from-folders] [--json]`: imports
// images with the same code as the upload API (lib/images). The collection is created if missing.
// A progress bar and the summary go to stderr; with --json the last stdout line is one JSON object
// { stored, duplicates, rejected: [{ file, reason }] }.
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { ensureCollection } from "@/lib/collections/collections.service";
import { recoverStore } from "@/lib/collections/recovery";
import { prisma } from "@/lib/db/client";
import { importPath } from "@/lib/images/import";
import type { IngestSummary } from "@/lib/images/ingest.service";
import { registerIndexUpdater } from "@/lib/jobs/index-updater";

const usage = "usage: npm run la -- import <folder|zip> --collection NAME [--labels-from-folders] [--json]";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { collection: { type: "string" }, "labels-from-folders": { type: "boolean" }, json: { type: "boolean" } },
  });
  if (positionals.length !== 1 || !values.collection) {
    console.error(usage);
    return 2;
  }
  try {
    await recoverStore();
    // Images imported into a trained collection reach its index as they do through the web upload.
    registerIndexUpdater();
    const collection = await ensureCollection(values.collection);
    const bar = new cliProgress.SingleBar(
      { format: "importing [{bar}] {value}/{total} files | {eta_formatted} left", stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    const summary = await importPath(collection.id, positionals[0], {
      labelsFromFolders: values["labels-from-folders"],
      onTotal: (n) => bar.start(n, 0),
      onOutcome: () => bar.increment(),
    });
    bar.stop();
    printSummary(collection.name, summary, (Date.now() - started) / 1000);
    if (values.json) {
      const rejected = summary.files.flatMap((f) => (f.outcome === "rejected" ? [{ file: f.file, reason: f.reason }] : []));
      console.log(JSON.stringify({ collectionId: collection.id, stored: summary.stored, duplicates: summary.duplicates, rejected }));
    }
    return 0;
  } finally {
    await prisma.$disconnect();
  }
}

function printSummary(name: string, s: IngestSummary, seconds: number): void {
  console.error(`\n"${name}": ${s.stored} stored, ${s.duplicates} duplicates, ${s.rejected} rejected (${seconds.toFixed(1)} s)`);
  const byReason = new Map<string, string[]>();
  for (const f of s.files) if (f.outcome === "rejected") byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.file]);
  for (const [reason, files] of byReason) {
    console.error(`  ${files.length} x ${reason}`);
    for (const f of files.slice(0, 5)) console.error(`      ${f}`);
    if (files.length > 5) console.error(`      ... and ${files.length - 5} more`);
  }
}

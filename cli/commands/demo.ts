// `npm run la -- demo [--skip-fashion] [--json]`: prepares the demo collections (lib/images/demo.ts):
// the emoji of emoji-datasource-google (fetched with `npm pack` into $LA_DATA_DIR/cache/) and a
// Fashion-MNIST subset from the Debian package. Idempotent; a second run only checks and returns.
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { recoverStore } from "@/lib/collections/recovery";
import { prisma } from "@/lib/db/client";
import { emojiDemo, fashionMnistDemo, type DemoProgress, type DemoResult } from "@/lib/images/demo";

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { "skip-fashion": { type: "boolean" }, json: { type: "boolean" } } });
  const bar = new cliProgress.SingleBar(
    { format: "{collection} [{bar}] {value}/{total}", stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const progress: DemoProgress = {
    onTotal: (collection, n) => bar.start(n, 0, { collection }),
    onOutcome: () => bar.increment(),
  };
  try {
    await recoverStore();
    const results: DemoResult[] = [await emojiDemo(progress)];
    bar.stop();
    if (!values["skip-fashion"]) {
      const fashion = await fashionMnistDemo(2000, progress);
      bar.stop();
      if (fashion) results.push(fashion);
      else console.error("Fashion-MNIST demo skipped: /usr/share/datasets/fashion-mnist is missing (apt package dataset-fashion-mnist)");
    }
    for (const r of results) {
      const how = r.skipped ? "already ready" : `${r.summary!.stored} stored, ${r.summary!.duplicates} duplicates, ${r.summary!.rejected} rejected`;
      console.error(`${r.name}: ${r.images} images (${how}) -> /collections/${r.collectionId}`);
    }
    if (values.json) console.log(JSON.stringify(results.map(({ summary, ...r }) => ({ ...r, rejected: summary?.rejected ?? 0 }))));
    return 0;
  } finally {
    bar.stop();
    await prisma.$disconnect();
  }
}

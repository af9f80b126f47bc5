// `npm run la -- clusters --collection NAME [--compute] [--no-raw] [--json]`: purity, NMI and mean
// stability of each scale of the collection's active model against the images' labels, beside k-means
// on raw pixels of the same images (stored on the clusterings, so the clusters page shows it too).
// --compute runs the cluster step first (what the worker does after indexing). With --json the last
// stdout line is one JSON object; everything else goes to stderr.
import { parseArgs } from "node:util";
import { computeClusterings } from "@/lib/clusters/cluster.service";
import { evaluateClusters, type ScaleEvaluation } from "@/lib/clusters/evaluate";
import { prisma } from "@/lib/db/client";
import { initBackend } from "@/lib/tf/backend";

const usage = "usage: npm run la -- clusters --collection NAME [--compute] [--no-raw] [--json]";

const f = (x: number | null) => (x === null ? "   –  " : x.toFixed(3).padStart(6));

function row(s: ScaleEvaluation): string {
  return `${s.scale.padEnd(8)} ${String(s.m).padStart(6)}  ${f(s.purity)}  ${f(s.nmi)}  ${f(s.mean_stability)}   ${f(s.raw_purity)}  ${f(s.raw_nmi)}`;
}

export async function run(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      collection: { type: "string" },
      compute: { type: "boolean", default: false },
      "no-raw": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  if (!a.collection) {
    console.error(usage);
    return 2;
  }
  const log = (line: string) => (a.json ? console.error(line) : console.log(line));
  const backend = await initBackend();
  log(`TF.js backend: ${backend.name}`);
  if (a.compute) {
    const c = await prisma.collection.findFirst({ where: { name: a.collection }, select: { activeModelId: true } });
    if (!c?.activeModelId) throw new Error(`collection "${a.collection}" has no active model`);
    let last = "";
    const summary = await computeClusterings(c.activeModelId, {
      onProgress: (_fraction, phase) => phase !== last && log(`  ${(last = phase)}`),
    });
    log(`cluster step: ${summary.n} images in ${summary.seconds.toFixed(1)} s (map: ${summary.map?.method} ${summary.map?.seconds.toFixed(1)} s)`);
  }
  log("scale         m  purity     nmi  stability  raw purity raw nmi");
  const report = await evaluateClusters(a.collection, { raw: !a["no-raw"], onScale: (s) => log(row(s)) });
  log(`${report.labelled} of ${report.images} images labelled; model #${report.modelId}`);
  if (a.json) {
    console.log(
      JSON.stringify({
        collection: report.collection,
        modelId: report.modelId,
        images: report.images,
        labelled: report.labelled,
        scales: report.scales.map(({ scale, m, purity, nmi, mean_stability, raw_purity, raw_nmi }) => ({ scale, m, purity, nmi, mean_stability, raw_purity, raw_nmi })),
      }),
    );
  }
  await prisma.$disconnect();
  return 0;
}

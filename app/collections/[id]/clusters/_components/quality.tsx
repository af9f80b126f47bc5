import type { ScaleView } from "@/lib/clusters/clusters.query";
import { pct } from "./cluster-card";

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="rounded-md border border-zinc-200 px-3 py-2 dark:border-zinc-800" title={hint}>
      <div className="text-xs text-zinc-500 dark:text-zinc-400">{label}</div>
      <div className="text-lg font-semibold tabular-nums" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

const num = (x: number | undefined) => (x === undefined ? "–" : x.toFixed(3));

/** Stability of the scale, and when the images carry labels, purity and NMI against them (raw-pixel k-means beside). */
export function ScaleQuality({ scale }: { scale: ScaleView }) {
  const m = scale.metrics;
  return (
    <div className="flex flex-wrap gap-3" data-testid="scale-quality">
      <Stat label="Clusters" value={String(scale.m)} />
      <Stat label="Mean stability" value={pct(m.meanStability)} hint="Share of an image's cluster-mates that stay with it across seeded k-means runs" testId="mean-stability" />
      {m.purity !== undefined ? (
        <>
          <Stat label={`Purity (${m.labelled} labelled)`} value={num(m.purity)} hint="Share of images carrying their cluster's majority label" testId="purity" />
          <Stat label="NMI" value={num(m.nmi)} hint="Normalised mutual information between clusters and labels" testId="nmi" />
          {m.rawPurity !== undefined ? <Stat label="Raw pixels: purity / NMI" value={`${num(m.rawPurity)} / ${num(m.rawNmi)}`} hint="k-means on raw pixels of the same images (npm run la -- clusters)" /> : null}
        </>
      ) : null}
    </div>
  );
}

import Link from "next/link";
import { notFound } from "next/navigation";
import { listScales } from "@/lib/clusters/clusters.query";
import { readDensity } from "@/lib/clusters/density-file";
import { NotFoundError } from "@/lib/errors";
import { Id } from "@/lib/images/browse";
import { getCollection } from "@/lib/collections/collections.service";
import { getModel, type ModelMetrics } from "@/lib/models/model.service";
import { pct } from "../../clusters/_components/cluster-card";
import { DensityChart } from "./density-chart";

export const dynamic = "force-dynamic";

function Fact({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="font-medium tabular-nums">{value}</dd>
    </div>
  );
}

/** A model: what it was trained with, its clusters per scale and its local vs background density. */
export default async function ModelPage({ params }: { params: Promise<{ id: string; modelId: string }> }) {
  const p = await params;
  const collectionId = Id.safeParse(p.id);
  const modelId = Id.safeParse(p.modelId);
  if (!collectionId.success || !modelId.success) notFound();
  const model = await getModel(modelId.data).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  if (model.collectionId !== collectionId.data) notFound();
  const [density, scales, collection] = await Promise.all([readDensity(model.id), listScales(model.id), getCollection(model.collectionId)]);
  const metrics = (model.metrics ?? {}) as ModelMetrics;
  const config = (model.config ?? {}) as { epochs?: number; m?: number; kBg?: number; clusterings?: number };
  const report = density?.report;
  return (
    <div className="space-y-8">
      <div>
        <Link href={`/collections/${model.collectionId}/train`} className="text-sm text-zinc-500 dark:text-zinc-400 hover:underline">
          Training
        </Link>
        <h1 className="text-2xl font-semibold">Model #{model.id}</h1>
        <dl className="mt-3 flex flex-wrap gap-x-8 gap-y-2 text-sm">
          <Fact label="Status" value={model.status} />
          <Fact label="Images" value={model.imageCount.toLocaleString("en")} />
          {model.parentId ? <Fact label="Fine-tuned from" value={<Link className="text-indigo-600 dark:text-indigo-400 hover:underline" href={`/collections/${model.collectionId}/models/${model.parentId}`}>#{model.parentId}</Link>} /> : null}
          {config.epochs !== undefined ? <Fact label="Epochs" value={config.epochs} /> : null}
          {config.clusterings !== undefined ? <Fact label="H x m (training)" value={`${config.clusterings} x ${config.m}`} /> : null}
          {config.kBg !== undefined ? <Fact label="k_bg" value={config.kBg} /> : null}
          {metrics.finalLoss !== undefined ? <Fact label="Final loss" value={metrics.finalLoss.toFixed(3)} /> : null}
        </dl>
      </div>

      <section className="space-y-3">
        <h2 className="font-medium">Clusters</h2>
        {scales.length ? (
          <ul className="flex flex-wrap gap-3 text-sm">
            {scales.map((s) => (
              <li key={s.scale} className="rounded-md border border-zinc-200 px-3 py-2 dark:border-zinc-800">
                <span className="font-medium capitalize">{s.scale}</span> · {s.m} clusters · stability {pct(s.metrics.meanStability)}
                {s.metrics.purity !== undefined ? ` · purity ${s.metrics.purity.toFixed(3)} · NMI ${s.metrics.nmi?.toFixed(3)}` : ""}
              </li>
            ))}
            {collection.activeModelId === model.id ? (
              <li className="self-center">
                <Link className="text-indigo-600 dark:text-indigo-400 hover:underline" href={`/collections/${model.collectionId}/clusters`}>
                  Explore
                </Link>
              </li>
            ) : null}
          </ul>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">The cluster step has not run for this model yet.</p>
        )}
      </section>

      <section className="space-y-3" aria-labelledby="density">
        <h2 id="density" className="font-medium">
          Local vs background density
        </h2>
        {report && density ? (
          <>
            <p className="max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">
              For {density.sample.toLocaleString("en")} images: the mean similarity to their {density.kLocal} nearest neighbours (local) and to
              their {density.kBg} nearest (background). Local Aggregation pulls close neighbours together much more than the wider background,
              so the gap between the two is what it learned (Zhuang et al., 2019, Sec. 4.4).
            </p>
            <dl className="flex flex-wrap gap-x-8 gap-y-2 text-sm" data-testid="density-stats">
              <Fact label="Local, mean ± sd" value={`${report.local.mean.toFixed(3)} ± ${report.local.std.toFixed(3)}`} />
              <Fact label="Background, mean ± sd" value={`${report.background.mean.toFixed(3)} ± ${report.background.std.toFixed(3)}`} />
              <Fact label="Difference, mean" value={report.difference.mean.toFixed(3)} />
            </dl>
            <DensityChart report={report} />
            {report.accuracyByDifference ? (
              <div className="space-y-1">
                <p className="text-sm text-zinc-500 dark:text-zinc-400">kNN accuracy by local − background difference, tenths of the images</p>
                <table className="text-sm" data-testid="density-accuracy">
                  <thead>
                    <tr className="text-left text-xs text-zinc-500 dark:text-zinc-400">
                      <th className="pr-6 font-normal">difference</th>
                      <th className="pr-6 font-normal">images</th>
                      <th className="font-normal">accuracy</th>
                    </tr>
                  </thead>
                  <tbody className="tabular-nums">
                    {report.accuracyByDifference.map((b) => (
                      <tr key={b.lo}>
                        <td className="pr-6">
                          {b.lo.toFixed(3)} – {b.hi.toFixed(3)}
                        </td>
                        <td className="pr-6">{b.count}</td>
                        <td>{b.accuracy.toFixed(1)}%</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Computed by the cluster step; not available for this model yet.</p>
        )}
      </section>
    </div>
  );
}

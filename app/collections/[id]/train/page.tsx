import { notFound } from "next/navigation";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { IdParam } from "@/lib/jobs/ids";
import { listJobs } from "@/lib/jobs/job.service";
import { getTrainingSettings } from "@/lib/jobs/training.service";
import { getModelHistory } from "@/lib/models/model.service";
import { TrainPanel } from "./train-panel";

export const dynamic = "force-dynamic";

async function load(id: number) {
  try {
    const [collection, settings, history, jobs] = await Promise.all([
      prisma.collection.findUniqueOrThrow({ where: { id }, select: { id: true, name: true } }),
      getTrainingSettings(id),
      getModelHistory(id),
      listJobs({ collectionId: id, limit: 20 }),
    ]);
    return { collection, settings, history, jobs };
  } catch (e) {
    if (e instanceof NotFoundError || (e as { code?: string }).code === "P2025") notFound();
    throw e;
  }
}

export default async function TrainPage({ params }: { params: Promise<{ id: string }> }) {
  const id = IdParam.safeParse((await params).id);
  if (!id.success) notFound();
  const { collection, settings, history, jobs } = await load(id.data);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Training</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {settings.imageCount.toLocaleString("en")} images · a background worker trains a Local Aggregation encoder, indexes every image and
          stores the clusters it found.
        </p>
      </div>
      <TrainPanel collectionId={collection.id} initialSettings={settings} initialHistory={history} initialJobs={jobs} />
    </div>
  );
}

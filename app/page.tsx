import Link from "next/link";
import { primaryButton } from "./_components/styles";
import { getHealth, type Check } from "@/lib/health";

export const dynamic = "force-dynamic";

function StatusRow({ name, check, value }: { name: string; check: Check; value?: string }) {
  return (
    <li className="flex items-center justify-between gap-4 py-2" data-check={name} data-ok={check.ok}>
      <span className="flex shrink-0 items-center gap-2">
        <span className={`inline-block h-2.5 w-2.5 rounded-full ${check.ok ? "bg-emerald-500" : "bg-amber-500"}`} aria-hidden />
        {name}
      </span>
      <span className="min-w-0 break-all text-right text-sm text-zinc-600 dark:text-zinc-400">
        {value}
        {check.detail ? <span className="ml-2">{check.detail}</span> : null}
      </span>
    </li>
  );
}

export default async function HomePage() {
  const h = await getHealth();
  return (
    <div className="space-y-8">
      <section className="space-y-2">
        <h1 className="text-2xl font-semibold">Visual search that learns from your photos</h1>
        <p className="max-w-2xl text-zinc-600 dark:text-zinc-400">
          Upload a collection, train a Local Aggregation encoder on it without labels, then search by image and
          explore the clusters it found.
        </p>
        <Link href="/collections" className={primaryButton}>
          Open collections
        </Link>
      </section>
      <section aria-labelledby="status" className="max-w-2xl rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
        <h2 id="status" className="mb-2 font-medium">
          System status: <span data-testid="health-status">{h.status}</span>
        </h2>
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
          <StatusRow name="Database" check={h.database} value="reachable" />
          <StatusRow name="Migrations" check={h.migrations} value={`${h.migrations.applied}/${h.migrations.expected} applied`} />
          <StatusRow name="FAISS" check={h.faiss} value={h.faiss.ok ? "loaded" : "unavailable"} />
          <StatusRow name="TensorFlow.js" check={h.tfjs} value={h.tfjs.backend} />
          <StatusRow name="Data directory" check={h.dataDir} value={h.dataDir.path} />
          <StatusRow
            name="Worker"
            check={h.worker}
            value={h.worker.heartbeatAgeSeconds === null ? "" : `heartbeat ${h.worker.heartbeatAgeSeconds}s ago`}
          />
        </ul>
        {!h.worker.ok ? (
          <p className="mt-3 text-sm text-amber-800 dark:text-amber-300" data-testid="worker-hint">
            No worker is running, so training waits. Start one with <code className="whitespace-nowrap">npm run worker</code> (npm start runs one).
          </p>
        ) : null}
      </section>
    </div>
  );
}

"use client";

import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { primaryButton, secondaryButton } from "../../../_components/styles";
import type { JobView, MetricPoint } from "@/lib/jobs/job.service";
import type { PresetName } from "@/lib/jobs/presets";
import type { TrainingSettingsView } from "@/lib/jobs/training.service";
import type { ModelHistory } from "@/lib/models/model.service";
import { LossChart } from "./loss-chart";
import { ModelTable } from "./model-table";
import { SettingsForm } from "./settings-form";

const CHAIN = ["train", "finetune", "index", "cluster"];
const PHASES: Record<string, string> = { ir: "IR warm-up", la: "Local Aggregation", loading: "loading pixels", embedding: "embedding images" };
const isActive = (j: JobView) => j.status === "queued" || j.status === "running";

function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "–";
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** Fraction done of a chain job: epochs and steps for training, steps for the others. */
function fractionDone(j: JobView): number {
  if (j.status === "succeeded") return 1;
  if (j.epochs && j.epoch) return Math.min(1, (j.epoch - 1 + (j.steps ? (j.step ?? 0) / j.steps : 0)) / j.epochs);
  return j.steps ? Math.min(1, (j.step ?? 0) / j.steps) : 0;
}

/** The latest chain (train/finetune -> index -> cluster) among the collection's jobs, oldest first. */
function latestChain(jobs: JobView[]): JobView[] {
  const chainJobs = jobs.filter((j) => CHAIN.includes(j.type)).sort((a, b) => a.id - b.id);
  const head = [...chainJobs].reverse().find((j) => j.type === "train" || j.type === "finetune");
  return head ? chainJobs.filter((j) => j.id >= head.id && j.modelId === head.modelId) : [];
}

export function TrainPanel(props: { collectionId: number; initialSettings: TrainingSettingsView; initialHistory: ModelHistory; initialJobs: JobView[] }) {
  const { collectionId } = props;
  const [settings, setSettings] = useState(props.initialSettings);
  const [history, setHistory] = useState(props.initialHistory);
  const [chain, setChain] = useState<JobView[]>(() => latestChain(props.initialJobs));
  const [points, setPoints] = useState<MetricPoint[]>([]);
  const [preset, setPreset] = useState<PresetName>(settings.defaultPreset);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const current = chain.find(isActive) ?? null;
  const trainJob = chain.find((j) => j.type === "train" || j.type === "finetune") ?? null;

  const refresh = useCallback(async () => {
    const [jobs, models] = await Promise.all([
      fetch(`/api/collections/${collectionId}/jobs`).then((r) => r.json() as Promise<{ jobs: JobView[] }>),
      fetch(`/api/collections/${collectionId}/models`).then((r) => r.json() as Promise<ModelHistory>),
    ]);
    setChain(latestChain(jobs.jobs));
    setHistory(models);
  }, [collectionId]);

  // Follow the chain's running (or next) job through its event stream.
  const followId = current?.id ?? null;
  useEffect(() => {
    if (followId === null) return;
    const source = new EventSource(`/api/jobs/${followId}/events`);
    const update = (e: MessageEvent) => {
      const job = JSON.parse(e.data) as JobView;
      setChain((c) => c.map((j) => (j.id === job.id ? job : j)));
    };
    source.addEventListener("job", update);
    source.addEventListener("metrics", (e) => {
      const more = JSON.parse((e as MessageEvent).data) as MetricPoint[];
      setPoints((p) => [...p.filter((x) => !more.some((m) => m.id === x.id)), ...more]);
    });
    source.addEventListener("end", (e) => {
      update(e as MessageEvent);
      source.close();
      void refresh();
    });
    return () => source.close();
  }, [followId, refresh]);

  // The loss curve of the chain's training job, from its start (e.g. after a reload).
  const trainId = trainJob?.id ?? null;
  useEffect(() => {
    if (trainId === null) return;
    void fetch(`/api/jobs/${trainId}/metrics`)
      .then((r) => (r.ok ? (r.json() as Promise<{ points: MetricPoint[] }>) : { points: [] }))
      .then(({ points: p }) => setPoints((old) => [...p, ...old.filter((x) => !p.some((m) => m.id === x.id))].sort((a, b) => a.id - b.id)));
  }, [trainId]);

  async function post(url: string, body?: unknown) {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.ok) setError(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `request failed (${res.status})`);
      else {
        if (url.endsWith("/train")) setPoints([]);
        await refresh();
      }
    } finally {
      setBusy(false);
    }
  }

  const selected = settings.presets.find((p) => p.name === preset);
  const chainDone = current === null && chain.length > 1 && chain.every((j) => j.status === "succeeded");
  const live = current ?? trainJob;
  return (
    <div className="space-y-6">
      <section className="space-y-4 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" aria-labelledby="start">
        <h2 id="start" className="font-medium">
          Train a new model
        </h2>
        <fieldset className="grid gap-2 sm:grid-cols-3" disabled={current !== null || busy}>
          <legend className="sr-only">Preset</legend>
          {settings.presets.map((p) => (
            <label key={p.name} className={`cursor-pointer rounded-md border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-indigo-500 ${preset === p.name ? "border-indigo-500 bg-indigo-50/50 ring-1 ring-indigo-500 dark:bg-indigo-950/40" : "border-zinc-200 dark:border-zinc-700"}`}>
              <input type="radio" name="preset" value={p.name} checked={preset === p.name} onChange={() => setPreset(p.name)} className="mr-2" />
              <span className="font-medium capitalize">{p.name}</span>
              <span className="block text-zinc-600 dark:text-zinc-400">
                {p.epochs} epochs · about {formatSeconds(p.expectedSeconds)}
              </span>
            </label>
          ))}
        </fieldset>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Estimate at {selected?.imgPerSec ?? "–"} images/s ({selected?.basis === "measured" ? "measured on this collection" : "reference speed of this machine class"}).
          {settings.resolved
            ? ` ${settings.resolved.resolution}x${settings.resolved.resolution}x${settings.resolved.channels}, batch ${settings.resolved.batchSize}, H ${settings.resolved.clusterings}, m ${settings.resolved.m}, k_bg ${settings.resolved.kBg}, τ ${settings.resolved.tau}, lr ${settings.resolved.lr}.`
            : ""}
        </p>
        <details className="text-sm">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Settings</summary>
          <div className="mt-3">
            <SettingsForm collectionId={collectionId} view={settings} onSaved={setSettings} />
          </div>
        </details>
        <div className="flex flex-wrap items-center gap-3">
          <button
            type="button"
            data-testid="start-training"
            disabled={current !== null || busy || settings.imageCount < 2}
            onClick={() => void post(`/api/collections/${collectionId}/train`, { preset })}
            className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Start training
          </button>
          {history.finetuneOffered ? (
            <button
              type="button"
              data-testid="start-finetune"
              disabled={current !== null || busy}
              onClick={() => void post(`/api/collections/${collectionId}/train`, { finetune: true })}
              className="rounded-md border border-indigo-600 px-4 py-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50 disabled:opacity-50 dark:text-indigo-300 dark:hover:bg-indigo-950"
            >
              Fine-tune with {history.newImagesSinceActive} new images
            </button>
          ) : null}
          {error ? (
            <span role="alert" className="text-sm text-red-700 dark:text-red-400">
              {error}
            </span>
          ) : null}
          {settings.imageCount < 2 ? (
            <span className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="empty-state">
              Training needs at least two photos.{" "}
              <a href={`/collections/${collectionId}`} className="font-medium text-indigo-700 underline dark:text-indigo-300">
                Upload photos
              </a>{" "}
              first.
            </span>
          ) : null}
        </div>
      </section>

      {live ? (
        <section className="space-y-4 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" aria-labelledby="progress" data-testid="progress" data-status={live.status}>
          <div className="flex flex-wrap items-center justify-between gap-3">
            <h2 id="progress" className="font-medium">
              Model #{live.modelId}: <span data-testid="job-type">{live.type}</span> <span data-testid="job-status">{live.status}</span>
              {chainDone ? <span className="text-emerald-700 dark:text-emerald-400"> · indexed and clustered, ready to search</span> : null}
              {live.phase && live.status === "running" ? <span className="text-zinc-600 dark:text-zinc-400" data-testid="phase"> · {PHASES[live.phase] ?? live.phase}</span> : null}
            </h2>
            {chainDone ? (
              <div className="flex gap-2" data-testid="next-steps">
                <Link href={`/collections/${collectionId}/search`} className={primaryButton}>
                  Search
                </Link>
                <Link href={`/collections/${collectionId}/clusters`} className={secondaryButton}>
                  See the clusters
                </Link>
              </div>
            ) : null}
            {current ? (
              <button
                type="button"
                data-testid="cancel"
                disabled={current.cancelRequested || busy}
                onClick={() => void post(`/api/jobs/${current.id}/cancel`)}
                className="rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950"
              >
                {current.cancelRequested ? "Cancelling…" : "Cancel"}
              </button>
            ) : null}
          </div>
          <ol className="flex flex-wrap gap-2 text-xs" aria-label="Steps">
            {chain.map((j) => (
              <li key={j.id} data-testid="chain-step" data-type={j.type} data-status={j.status} className={`rounded px-2 py-1 ${j.status === "succeeded" ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" : j.status === "running" ? "bg-indigo-100 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300" : j.status === "queued" ? "bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300" : "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300"}`}>
                {j.type} · {j.status}
              </li>
            ))}
          </ol>
          <div>
            <div className="h-3 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800" role="progressbar" aria-label="Training progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fractionDone(live) * 100)}>
              <div className="h-full bg-indigo-600 transition-[width] duration-500" style={{ width: `${fractionDone(live) * 100}%` }} data-testid="progress-bar" />
            </div>
            <dl className="mt-3 grid grid-cols-2 gap-3 text-sm sm:grid-cols-5">
              <Stat label="Epoch" value={live.epochs ? `${live.epoch ?? 0} / ${live.epochs}` : "–"} testId="epoch" />
              <Stat label="Step" value={live.steps ? `${live.step ?? 0} / ${live.steps}` : "–"} testId="step" />
              <Stat label="Loss" value={live.loss !== null ? live.loss.toFixed(3) : "–"} testId="loss" />
              <Stat label="Images/s" value={live.imgPerSec !== null ? live.imgPerSec.toFixed(0) : "–"} testId="img-per-sec" />
              <Stat label="ETA" value={live.status === "running" ? formatSeconds(live.etaSeconds) : "–"} testId="eta" />
            </dl>
            {live.resumedFromEpoch ? <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">Resumed from the checkpoint of epoch {live.resumedFromEpoch}.</p> : null}
            {live.error ? (
              <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
                {live.error}
              </p>
            ) : null}
          </div>
          {points.length ? (
            <figure className="space-y-1">
              <LossChart points={points} />
              <figcaption className="text-xs text-zinc-600 dark:text-zinc-400">
                Training loss per step. The first epochs are an instance-recognition (IR) warm-up; when Local Aggregation takes over
                (half-way by default) the loss is a different quantity, so a sudden step there is expected.
              </figcaption>
            </figure>
          ) : <p className="text-sm text-zinc-600 dark:text-zinc-400">The loss curve appears with the first training steps.</p>}
        </section>
      ) : null}

      <section className="space-y-2" aria-labelledby="models">
        <h2 id="models" className="font-medium">
          Model history
        </h2>
        <ModelTable collectionId={collectionId} models={history.models} />
      </section>
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="font-medium tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

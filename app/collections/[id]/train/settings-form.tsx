"use client";

import { useState } from "react";
import type { TrainingSettings } from "@/lib/jobs/settings";
import type { TrainingSettingsView } from "@/lib/jobs/training.service";

const FIELDS: { key: Exclude<keyof TrainingSettings, "clusterOn">; label: string; step?: string }[] = [
  { key: "resolution", label: "Resolution (px)" },
  { key: "channels", label: "Channels (1 or 3)" },
  { key: "epochs", label: "Epochs" },
  { key: "warmupEpochs", label: "IR warm-up epochs" },
  { key: "clusterings", label: "H (clusterings)" },
  { key: "m", label: "m (clusters)" },
  { key: "kBg", label: "k_bg (background)" },
  { key: "tau", label: "τ (temperature)", step: "any" },
  { key: "lr", label: "Learning rate", step: "any" },
  { key: "batchSize", label: "Batch size" },
];

/** Left empty, these follow the chosen preset, so the resolved default (for 20 epochs) would mislead. */
const FROM_PRESET: Partial<Record<keyof TrainingSettings, string>> = { epochs: "from the preset", warmupEpochs: "half the epochs" };

/** The collection's training settings; empty fields take the defaults scaled to the collection. */
export function SettingsForm({ collectionId, view, onSaved }: { collectionId: number; view: TrainingSettingsView; onSaved: (v: TrainingSettingsView) => void }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(FIELDS.map((f) => [f.key, view.settings[f.key] === undefined ? "" : String(view.settings[f.key])])),
  );
  const [clusterOn, setClusterOn] = useState(view.settings.clusterOn ?? view.resolved?.clusterOn ?? "bank");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // The fields an error message names ("kBg 5000 exceeds ..."), marked next to the message.
  const invalid = message && !message.ok ? FIELDS.map((f) => f.key).filter((k) => new RegExp(`\\b${k}\\b`).test(message.text)) : [];

  async function save(e: React.FormEvent) {
    e.preventDefault();
    const body = { ...Object.fromEntries(FIELDS.filter((f) => values[f.key] !== "").map((f) => [f.key, Number(values[f.key])])), clusterOn };
    const res = await fetch(`/api/collections/${collectionId}/settings`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = await res.json();
    if (res.ok) {
      onSaved(json as TrainingSettingsView);
      setMessage({ ok: true, text: "Saved." });
    } else setMessage({ ok: false, text: (json as { error?: string }).error ?? `failed (${res.status})` });
  }

  return (
    <form onSubmit={(e) => void save(e)} className="space-y-3" data-testid="settings-form">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-5">
        {FIELDS.map((f) => {
          const bad = invalid.includes(f.key);
          return (
          <label key={f.key} className={`text-xs ${bad ? "text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}`}>
            {f.label}
            <input
              name={f.key}
              aria-invalid={bad || undefined}
              aria-describedby={bad ? "settings-message" : undefined}
              type="number"
              step={f.step ?? "1"}
              value={values[f.key]}
              placeholder={FROM_PRESET[f.key] ?? (view.resolved ? String(view.resolved[f.key]) : "default")}
              onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
              className={`mt-1 block w-full rounded-md border bg-white px-2 py-1 text-sm text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100 ${bad ? "border-red-500 ring-1 ring-red-500" : "border-zinc-300 dark:border-zinc-700"}`}
            />
          </label>
          );
        })}
        <label className="col-span-2 text-xs text-zinc-600 dark:text-zinc-400">
          LA clusters
          <select
            name="clusterOn"
            value={clusterOn}
            onChange={(e) => setClusterOn(e.target.value as typeof clusterOn)}
            className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
          >
            <option value="bank">the memory bank (as in the paper)</option>
            <option value="embeddings">fresh embeddings (better 1-NN, one extra pass an epoch)</option>
          </select>
        </label>
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-900">
          Save settings
        </button>
        {message ? (
          <span role={message.ok ? "status" : "alert"} id="settings-message" data-testid="settings-message" className={`text-sm ${message.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}`}>
            {message.text}
          </span>
        ) : null}
      </div>
    </form>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** Names a cluster through PATCH /api/clusters/:id; the name follows the cluster into the next model. */
export function RenameForm({ clusterId, name, placeholder }: { clusterId: number; name: string | null; placeholder: string }) {
  const router = useRouter();
  const [value, setValue] = useState(name ?? "");
  const [state, setState] = useState<{ busy: boolean; error: string | null; saved: boolean }>({ busy: false, error: null, saved: false });

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setState({ busy: true, error: null, saved: false });
    const res = await fetch(`/api/clusters/${clusterId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: value }),
    }).catch(() => null);
    if (!res?.ok) {
      const body = res ? ((await res.json().catch(() => ({}))) as { error?: string }) : {};
      return setState({ busy: false, error: body.error ?? "could not reach the server", saved: false });
    }
    setState({ busy: false, error: null, saved: true });
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="flex flex-wrap items-center gap-2" aria-label="Rename cluster">
      <input
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder={placeholder}
        maxLength={80}
        aria-label="Cluster name"
        aria-invalid={state.error ? true : undefined}
        className="w-64 max-w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      />
      <button type="submit" disabled={state.busy} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
        {state.busy ? "Saving…" : "Rename"}
      </button>
      {state.saved ? <span className="text-sm text-emerald-700 dark:text-emerald-400" role="status">Saved</span> : null}
      {state.error ? <span className="text-sm text-red-700 dark:text-red-400" role="alert">{state.error}</span> : null}
    </form>
  );
}

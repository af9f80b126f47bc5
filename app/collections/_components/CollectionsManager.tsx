"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { EmptyState } from "../../_components/EmptyState";
import { primaryButton } from "../../_components/styles";
import { jsonOrThrow } from "./api";

interface Item {
  id: number;
  name: string;
  imageCount: number;
  activeModelId: number | null;
}

const button = "rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50";

export function CollectionsManager({ collections }: { collections: Item[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);

  /** Runs fn; a failure is shown by whoever called (onError), next to the form that failed. */
  async function act(fn: () => Promise<unknown>, onError: (message: string | null) => void = setError) {
    setBusy(true);
    onError(null);
    try {
      await fn();
      router.refresh();
    } catch (e) {
      onError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const create = () =>
    act(async () => {
      const res = await fetch("/api/collections", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
      const c = await jsonOrThrow<{ id: number }>(res);
      setName("");
      router.push(`/collections/${c.id}`);
    });

  return (
    <div className="space-y-4">
      <form
        className="max-w-xl space-y-1"
        aria-label="New collection"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div className="flex gap-2">
          <input
            ref={nameInput}
            aria-label="New collection name"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "create-error" : undefined}
            maxLength={100}
            className={`min-w-0 flex-1 rounded-md border bg-white px-3 py-2 text-sm dark:bg-zinc-900 ${error ? "border-red-500" : "border-zinc-300 dark:border-zinc-700"}`}
            placeholder="New collection name, e.g. Holiday 2024"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={busy || !name.trim()} className={primaryButton}>
            Create
          </button>
        </div>
        {error ? (
          <p role="alert" id="create-error" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        ) : null}
      </form>
      {collections.length === 0 ? (
        <EmptyState
          title="No collections yet"
          action={
            <button type="button" className={primaryButton} onClick={() => nameInput.current?.focus()}>
              Create your first collection
            </button>
          }
        >
          A collection is a set of photos the service learns from. Name one above and press Create, then drop photos,
          folders or a .zip into it. From a terminal: <code className="whitespace-nowrap">npm run la -- import ~/Pictures --collection Pictures</code>
        </EmptyState>
      ) : (
        <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {collections.map((c) => (
            <Row key={c.id} item={c} busy={busy} act={act} />
          ))}
        </ul>
      )}
    </div>
  );
}

type Act = (fn: () => Promise<unknown>, onError?: (message: string | null) => void) => Promise<void>;

function Row({ item, busy, act }: { item: Item; busy: boolean; act: Act }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(item.name);
  const [error, setError] = useState<string | null>(null);
  const rename = () =>
    act(async () => {
      const res = await fetch(`/api/collections/${item.id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
      await jsonOrThrow(res);
      setEditing(false);
    }, setError);
  const remove = () => {
    if (!confirm(`Delete "${item.name}" with its ${item.imageCount} images and models? This cannot be undone.`)) return;
    void act(async () => jsonOrThrow(await fetch(`/api/collections/${item.id}`, { method: "DELETE" })), setError);
  };
  return (
    <li className="px-4 py-3" data-collection={item.name}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
      {editing ? (
        <form
          className="flex min-w-0 flex-1 gap-2"
          onKeyDown={(e) => {
            if (e.key === "Escape") setEditing(false);
          }}
          onSubmit={(e) => {
            e.preventDefault();
            void rename();
          }}
        >
          <input
            aria-label="Collection name"
            className="min-w-0 flex-1 rounded-md border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            value={name}
            autoFocus
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={busy} className={`${button} bg-indigo-600 text-white`}>
            Save
          </button>
          <button type="button" className={`${button} text-zinc-600 dark:text-zinc-400`} onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <div className="min-w-0 flex-1">
            <Link href={`/collections/${item.id}`} className="block truncate font-medium hover:underline">
              {item.name}
            </Link>
            <span className="text-sm text-zinc-600 dark:text-zinc-400">
              {item.imageCount.toLocaleString("en")} images · {item.activeModelId ? "trained, searchable" : item.imageCount < 2 ? "add photos" : "not trained yet"}
            </span>
          </div>
          <button type="button" className={`${button} text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800`} onClick={() => setEditing(true)}>
            Rename
          </button>
          <button type="button" disabled={busy} className={`${button} text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950`} onClick={remove}>
            Delete
          </button>
        </>
      )}
      </div>
      {error ? (
        <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </li>
  );
}

"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
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

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
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
        className="flex max-w-xl gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <input
          aria-label="New collection name"
          className="flex-1 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          placeholder="New collection name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" disabled={busy || !name.trim()} className={`${button} bg-indigo-600 text-white hover:bg-indigo-500`}>
          Create
        </button>
      </form>
      {error ? (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      ) : null}
      {collections.length === 0 ? (
        <p className="text-zinc-600 dark:text-zinc-400">No collections yet. Create one, then drop photos or a zip into it.</p>
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

function Row({ item, busy, act }: { item: Item; busy: boolean; act: (fn: () => Promise<unknown>) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(item.name);
  const rename = () =>
    act(async () => {
      const res = await fetch(`/api/collections/${item.id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
      await jsonOrThrow(res);
      setEditing(false);
    });
  const remove = () => {
    if (!confirm(`Delete "${item.name}" with its ${item.imageCount} images and models? This cannot be undone.`)) return;
    void act(async () => jsonOrThrow(await fetch(`/api/collections/${item.id}`, { method: "DELETE" })));
  };
  return (
    <li className="flex items-center gap-4 px-4 py-3" data-collection={item.name}>
      {editing ? (
        <form
          className="flex flex-1 gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void rename();
          }}
        >
          <input
            aria-label="Collection name"
            className="flex-1 rounded-md border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            value={name}
            autoFocus
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={busy} className={`${button} bg-indigo-600 text-white`}>
            Save
          </button>
          <button type="button" className={`${button} text-zinc-600`} onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <Link href={`/collections/${item.id}`} className="flex-1 font-medium hover:underline">
            {item.name}
          </Link>
          <span className="text-sm text-zinc-600 dark:text-zinc-400">
            {item.imageCount.toLocaleString("en")} images{item.activeModelId ? " · model ready" : ""}
          </span>
          <button type="button" className={`${button} text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800`} onClick={() => setEditing(true)}>
            Rename
          </button>
          <button type="button" disabled={busy} className={`${button} text-red-700 hover:bg-red-50 dark:hover:bg-red-950`} onClick={remove}>
            Delete
          </button>
        </>
      )}
    </li>
  );
}

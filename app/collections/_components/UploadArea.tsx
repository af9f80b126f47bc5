"use client";

import { useRef, useState } from "react";

type Outcome = { file: string; outcome: "stored" | "duplicate" | "rejected"; reason?: string };

interface Item {
  key: number;
  name: string;
  size: number;
  progress: number;
  state: "queued" | "uploading" | "done" | "failed";
  outcomes: Outcome[];
  error?: string;
}

const PARALLEL = 2;
/** The file picker's id, for buttons elsewhere on the page that open it. */
export const UPLOAD_INPUT_ID = "upload-files";

/** Drag-and-drop (files, folders, zips) or pick; each file is its own request, with progress and outcome. */
export function UploadArea({ collectionId, onQueued, onUploaded }: { collectionId: number; onQueued?: () => void; onUploaded: () => void }) {
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const [labelsFromFolders, setLabelsFromFolders] = useState(false);
  const queue = useRef<{ key: number; file: File; path: string }[]>([]);
  const running = useRef(0);
  const nextKey = useRef(0);

  const update = (key: number, patch: Partial<Item>) => setItems((all) => all.map((i) => (i.key === key ? { ...i, ...patch } : i)));

  function enqueue(files: { file: File; path: string }[]) {
    const added = files.map((f) => ({ ...f, key: nextKey.current++ }));
    setItems((all) => [...added.map((f) => ({ key: f.key, name: f.path, size: f.file.size, progress: 0, state: "queued" as const, outcomes: [] })), ...all]);
    queue.current.push(...added);
    if (added.length) onQueued?.();
    pump();
  }

  function pump() {
    while (running.current < PARALLEL && queue.current.length > 0) {
      const job = queue.current.shift()!;
      running.current++;
      send(job).finally(() => {
        running.current--;
        if (running.current === 0 && queue.current.length === 0) onUploaded();
        pump();
      });
    }
  }

  function send({ key, file, path }: { key: number; file: File; path: string }): Promise<void> {
    return new Promise((resolve) => {
      const form = new FormData();
      if (labelsFromFolders) form.append("labelsFromFolders", "true");
      form.append("files", file, path);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `/api/collections/${collectionId}/images`);
      xhr.responseType = "json";
      update(key, { state: "uploading" });
      xhr.upload.onprogress = (e) => e.lengthComputable && update(key, { progress: e.loaded / e.total });
      xhr.onload = () => {
        const body = xhr.response as { files?: Outcome[]; error?: string } | null;
        if (body?.files) update(key, { state: "done", progress: 1, outcomes: body.files });
        else update(key, { state: "failed", error: body?.error ?? `upload failed (${xhr.status})` });
        resolve();
      };
      xhr.onerror = () => {
        update(key, { state: "failed", error: "the connection was lost" });
        resolve();
      };
      xhr.send(form);
    });
  }

  async function onDrop(e: React.DragEvent) {
    e.preventDefault();
    setOver(false);
    const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry?.()).filter((x): x is FileSystemEntry => !!x);
    enqueue(entries.length > 0 ? (await Promise.all(entries.map(walkEntry))).flat() : [...e.dataTransfer.files].map((file) => ({ file, path: file.name })));
  }

  const fromInput = (list: FileList | null) =>
    enqueue([...(list ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name })));

  const done = items.flatMap((i) => i.outcomes);
  const count = (k: Outcome["outcome"]) => done.filter((o) => o.outcome === k).length;
  const pending = items.filter((i) => i.state === "queued" || i.state === "uploading").length;

  return (
    <section aria-label="Upload" className="space-y-3">
      <div
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={`flex flex-col items-center gap-2 rounded-lg border-2 border-dashed px-4 py-6 text-center text-sm ${
          over ? "border-indigo-500 bg-indigo-50 dark:bg-indigo-950" : "border-zinc-300 dark:border-zinc-700"
        }`}
      >
        <p className="font-medium">Drop photos, folders or zip archives here</p>
        <p className="text-zinc-600 dark:text-zinc-400">JPEG, PNG, WebP, GIF, AVIF, TIFF · exact duplicates are linked, not stored twice</p>
        <div className="flex flex-wrap items-center justify-center gap-3">
          <label className="cursor-pointer rounded-md bg-zinc-900 px-3 py-1.5 font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900">
            Choose files
            <input id={UPLOAD_INPUT_ID} data-testid="file-input" type="file" multiple className="sr-only" onChange={(e) => fromInput(e.target.files)} />
          </label>
          <label className="cursor-pointer rounded-md border border-zinc-300 px-3 py-1.5 font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
            Choose a folder
            <input
              type="file"
              className="sr-only"
              {...({ webkitdirectory: "" } as object)}
              onChange={(e) => fromInput(e.target.files)}
            />
          </label>
          <label className="flex items-center gap-1.5 text-zinc-600 dark:text-zinc-400">
            <input type="checkbox" checked={labelsFromFolders} onChange={(e) => setLabelsFromFolders(e.target.checked)} />
            folder names as labels
          </label>
        </div>
      </div>
      {items.length > 0 ? (
        <div className="rounded-lg border border-zinc-200 dark:border-zinc-800">
          <p className="border-b border-zinc-200 px-3 py-2 text-sm dark:border-zinc-800" aria-live="polite">
            <span data-testid="upload-summary">
              {count("stored")} stored · {count("duplicate")} {count("duplicate") === 1 ? "duplicate" : "duplicates"} · {count("rejected")} rejected
            </span>
            {pending > 0 ? <span className="text-zinc-600 dark:text-zinc-400"> · {pending} of {items.length} files still uploading…</span> : null}
            {pending === 0 ? (
              <button type="button" onClick={() => setItems([])} className="float-right text-sm text-zinc-600 hover:underline dark:text-zinc-400">
                Clear list
              </button>
            ) : null}
          </p>
          <ul className="max-h-64 divide-y divide-zinc-100 overflow-y-auto text-sm dark:divide-zinc-800" data-testid="upload-results">
            {[...items].sort((a, b) => attention(b) - attention(a)).map((i) => (
              <UploadRow key={i.key} item={i} />
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

/** Rows that need a look come first: failures and rejections, then zips and duplicates, then the rest. */
function attention(i: Item): number {
  if (i.state === "failed" || i.outcomes.some((o) => o.outcome === "rejected")) return 3;
  if (i.outcomes.length > 1 || i.outcomes.some((o) => o.outcome === "duplicate")) return 2;
  return i.state === "uploading" ? 1 : 0;
}

const badge: Record<Outcome["outcome"], string> = {
  stored: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  duplicate: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  rejected: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
};

function UploadRow({ item }: { item: Item }) {
  // One file answers with one outcome; a zip with one per entry.
  const single = item.outcomes.length === 1 && item.outcomes[0].file === item.name ? item.outcomes[0] : null;
  return (
    <li className="px-3 py-1.5" data-file={item.name} data-state={single ? single.outcome : item.state}>
      <div className="flex items-center gap-3">
        <span className="min-w-0 flex-1 truncate" title={item.name}>
          {item.name}
        </span>
        {item.state === "uploading" || item.state === "queued" ? (
          <span
            role="progressbar"
            aria-label={`Uploading ${item.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(item.progress * 100)}
            data-testid="upload-progress"
            className="h-1.5 w-24 shrink-0 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
          >
            <span className="block h-full bg-indigo-500" style={{ width: `${Math.round(item.progress * 100)}%` }} />
          </span>
        ) : null}
        {item.state === "queued" ? <span className="text-xs text-zinc-500 dark:text-zinc-400">waiting</span> : null}
        {single ? <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${badge[single.outcome]}`}>{single.outcome}</span> : null}
        {item.state === "done" && !single ? <ArchiveSummary outcomes={item.outcomes} /> : null}
        {item.state === "failed" ? <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${badge.rejected}`}>failed</span> : null}
      </div>
      {single?.reason ? <p className="text-xs text-red-700 dark:text-red-400">{single.reason}</p> : null}
      {item.error ? <p className="text-xs text-red-700 dark:text-red-400">{item.error}</p> : null}
      {!single && item.outcomes.some((o) => o.outcome === "rejected") ? (
        <ul className="ml-4 mt-1 space-y-0.5 text-xs text-red-700 dark:text-red-400">
          {item.outcomes
            .filter((o) => o.outcome === "rejected")
            .map((o) => (
              <li key={o.file}>
                {o.file}: {o.reason}
              </li>
            ))}
        </ul>
      ) : null}
    </li>
  );
}

/** "16 of 17 entries stored · 1 duplicate · 2 rejected" for a zip. */
function ArchiveSummary({ outcomes }: { outcomes: Outcome[] }) {
  const n = (k: Outcome["outcome"]) => outcomes.filter((o) => o.outcome === k).length;
  const dup = n("duplicate");
  const rej = n("rejected");
  return (
    <span className="shrink-0 text-xs text-zinc-600 dark:text-zinc-400">
      {n("stored")} of {outcomes.length} entries stored
      {dup ? ` · ${dup} duplicate${dup > 1 ? "s" : ""}` : ""}
      {rej ? ` · ${rej} rejected` : ""}
    </span>
  );
}

/** All files under a dropped entry (folders are read recursively), with their relative paths. */
async function walkEntry(entry: FileSystemEntry): Promise<{ file: File; path: string }[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    return [{ file, path: entry.fullPath.replace(/^\//, "") }];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries answers in batches until it returns an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  return (await Promise.all(children.map(walkEntry))).flat();
}

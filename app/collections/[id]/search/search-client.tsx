"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import type { SearchResponse } from "@/lib/search";

type Query = { kind: "image"; imageId: number } | { kind: "upload"; file: Blob; previewUrl: string };

interface Props {
  collectionId: number;
  trained: boolean;
  initialImageId: number | null;
  maxK: number;
}

async function runSearch(collectionId: number, query: Query, k: number, minScore: string): Promise<SearchResponse> {
  const form = new FormData();
  if (query.kind === "image") form.set("imageId", String(query.imageId));
  else form.set("image", query.file, "query");
  form.set("k", String(k));
  if (minScore !== "") form.set("minScore", minScore);
  const res = await fetch(`/api/collections/${collectionId}/search`, { method: "POST", body: form });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `search failed (${res.status})`);
  return body as SearchResponse;
}

export function SearchClient({ collectionId, trained, initialImageId, maxK }: Props) {
  const [query, setQuery] = useState<Query | null>(initialImageId ? { kind: "image", imageId: initialImageId } : null);
  const [k, setK] = useState(20);
  const [minScore, setMinScore] = useState("");
  const [result, setResult] = useState<SearchResponse | null>(null);
  const [roundTripMs, setRoundTripMs] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const latest = useRef(0);

  const chooseFile = useCallback((file: Blob) => {
    setQuery((old) => {
      if (old?.kind === "upload") URL.revokeObjectURL(old.previewUrl);
      return { kind: "upload", file, previewUrl: URL.createObjectURL(file) };
    });
    window.history.replaceState(null, "", `/collections/${collectionId}/search`);
  }, [collectionId]);

  const similarTo = (imageId: number) => {
    setQuery({ kind: "image", imageId });
    window.history.replaceState(null, "", `/collections/${collectionId}/search?imageId=${imageId}`);
  };

  // Every change of query, k or minimum score searches again; only the newest answer is shown.
  useEffect(() => {
    if (!query || !trained || k < 1 || k > maxK) return;
    const ticket = ++latest.current;
    const started = performance.now();
    setBusy(true);
    runSearch(collectionId, query, k, minScore).then(
      (r) => {
        if (ticket !== latest.current) return;
        setResult(r);
        setRoundTripMs(performance.now() - started);
        setError(null);
        setBusy(false);
      },
      (e: Error) => {
        if (ticket !== latest.current) return;
        setError(e.message);
        setResult(null);
        setBusy(false);
      },
    );
  }, [collectionId, query, k, minScore, trained, maxK]);

  // A pasted image (Ctrl+V anywhere on the page) becomes the query.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const item = [...(e.clipboardData?.items ?? [])].find((i) => i.type.startsWith("image/"));
      const file = item?.getAsFile();
      if (file) chooseFile(file);
    };
    window.addEventListener("paste", onPaste);
    return () => window.removeEventListener("paste", onPaste);
  }, [chooseFile]);

  const preview = query?.kind === "upload" ? query.previewUrl : query ? `/api/images/${query.imageId}/thumb` : null;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-stretch gap-4">
        <button
          type="button"
          data-testid="drop-zone"
          onClick={() => fileInput.current?.click()}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            const file = e.dataTransfer.files[0];
            if (file) chooseFile(file);
          }}
          className={`flex min-h-36 flex-1 items-center gap-4 rounded-lg border-2 border-dashed p-4 text-left transition ${
            dragging ? "border-indigo-500 bg-indigo-50 dark:bg-indigo-950" : "border-zinc-300 hover:border-zinc-400 dark:border-zinc-700"
          }`}
        >
          {preview ? (
            // eslint-disable-next-line @next/next/no-img-element
            <img src={preview} alt="query" data-testid="query-preview" className="h-28 w-28 rounded-md object-cover" />
          ) : null}
          <span className="text-sm text-zinc-600 dark:text-zinc-400">
            Drop a photo here, paste one (Ctrl+V), or click to choose a file. It is searched, not stored.
          </span>
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="image/*"
          data-testid="file-input"
          className="hidden"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) chooseFile(file);
            e.target.value = "";
          }}
        />
        <div className="flex flex-col justify-center gap-3 rounded-lg border border-zinc-200 p-4 text-sm dark:border-zinc-800">
          <label className="flex items-center justify-between gap-3">
            Results (k)
            <input
              type="number"
              min={1}
              max={maxK}
              value={k}
              data-testid="k-input"
              onChange={(e) => setK(Number(e.target.value))}
              className="w-20 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            />
          </label>
          <label className="flex items-center justify-between gap-3">
            Minimum score
            <input
              type="number"
              min={-1}
              max={1}
              step={0.05}
              placeholder="none"
              value={minScore}
              data-testid="min-score-input"
              onChange={(e) => setMinScore(e.target.value)}
              className="w-20 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            />
          </label>
        </div>
      </div>

      {error ? (
        <p role="alert" data-testid="search-error" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          {error}
        </p>
      ) : null}

      {result ? (
        <section aria-labelledby="results" className="space-y-3">
          <h2 id="results" className="flex flex-wrap items-baseline gap-x-3 text-sm text-zinc-600 dark:text-zinc-400">
            <span className="text-base font-medium text-zinc-900 dark:text-zinc-100">
              <span data-testid="result-count">{result.results.length}</span> results
            </span>
            <span data-testid="timings">
              {result.timings.embedMs !== null ? `embedding ${result.timings.embedMs.toFixed(1)} ms · ` : ""}
              search {result.timings.searchMs.toFixed(2)} ms
              {roundTripMs !== null ? ` · ${roundTripMs.toFixed(0)} ms round trip` : ""}
            </span>
            {busy ? <span className="text-indigo-600">searching…</span> : null}
          </h2>
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6" data-testid="results">
            {result.results.map((r) => (
              <li key={r.imageId} data-testid="result" data-image-id={r.imageId} className="overflow-hidden rounded-lg border border-zinc-200 dark:border-zinc-800">
                <Link href={`/collections/${collectionId}/images/${r.imageId}`}>
                  {/* eslint-disable-next-line @next/next/no-img-element */}
                  <img src={r.thumbnailUrl} alt={`image ${r.imageId}`} loading="lazy" className="aspect-square w-full bg-zinc-100 object-cover dark:bg-zinc-900" />
                </Link>
                <div className="space-y-1 p-2 text-xs">
                  <div className="flex items-center justify-between">
                    <span data-testid="score" className="font-mono font-medium">{r.score.toFixed(3)}</span>
                    <button
                      type="button"
                      onClick={() => similarTo(r.imageId)}
                      className="rounded bg-zinc-100 px-2 py-0.5 text-zinc-700 hover:bg-indigo-100 hover:text-indigo-800 dark:bg-zinc-800 dark:text-zinc-300"
                    >
                      similar
                    </button>
                  </div>
                  {r.clusters.length ? (
                    <div className="flex flex-wrap gap-1">
                      {r.clusters.map((c) => (
                        <Link
                          key={c.clusterId}
                          href={`/collections/${collectionId}/clusters/${c.clusterId}`}
                          title={`weight ${c.weight.toFixed(2)}`}
                          className="rounded bg-indigo-50 px-1.5 py-0.5 text-indigo-800 hover:underline dark:bg-indigo-950 dark:text-indigo-300"
                        >
                          {c.name ?? `${c.scale} #${c.index}`}
                        </Link>
                      ))}
                    </div>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
          {result.results.length === 0 ? <p className="text-sm text-zinc-500">Nothing at or above the minimum score.</p> : null}
        </section>
      ) : null}
    </div>
  );
}

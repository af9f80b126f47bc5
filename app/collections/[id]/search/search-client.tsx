"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import type { SearchResponse } from "@/lib/search";

type Query = { kind: "image"; imageId: number } | { kind: "upload"; file: Blob; previewUrl: string };

interface Props {
  collectionId: number;
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

type ResultCluster = SearchResponse["results"][number]["clusters"][number];
const SCALE_ORDER = ["coarse", "medium", "fine"];

/** A result's strongest cluster at each scale, coarse to fine (the cluster pages name them the same way). */
function strongestPerScale(clusters: ResultCluster[]): ResultCluster[] {
  const best = new Map<string, ResultCluster>();
  for (const c of clusters) if (!best.has(c.scale) || best.get(c.scale)!.weight < c.weight) best.set(c.scale, c);
  const rank = (s: string) => (SCALE_ORDER.includes(s) ? SCALE_ORDER.indexOf(s) : SCALE_ORDER.length);
  return [...best.values()].sort((a, b) => rank(a.scale) - rank(b.scale) || a.scale.localeCompare(b.scale));
}

export function SearchClient({ collectionId, initialImageId, maxK }: Props) {
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
    if (!query || k < 1 || k > maxK) return;
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
  }, [collectionId, query, k, minScore, maxK]);

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

  const kInvalid = !Number.isInteger(k) || k < 1 || k > maxK;
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
          aria-describedby="drop-hint"
          className={`flex min-h-36 min-w-0 flex-[1_1_16rem] items-center gap-4 rounded-lg border-2 border-dashed p-4 text-left transition ${
            dragging ? "border-indigo-500 bg-indigo-50 dark:bg-indigo-950" : "border-zinc-300 hover:border-zinc-400 dark:border-zinc-700"
          }`}
        >
          {preview ? (
            // eslint-disable-next-line @next/next/no-img-element
            <img src={preview} alt="query" data-testid="query-preview" className="h-28 w-28 rounded-md object-cover" />
          ) : null}
          <span className="space-y-1 text-sm">
            <span className="block font-medium">{preview ? "Search with another photo" : "Search with a photo"}</span>
            <span id="drop-hint" className="block text-zinc-600 dark:text-zinc-400">
              Drop a photo here, paste one (Ctrl+V), or press to choose a file. It is searched, not stored. Or press <em>similar</em> on any image.
            </span>
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
        <div className="flex flex-[1_1_12rem] flex-col justify-center gap-3 rounded-lg border border-zinc-200 p-4 text-sm sm:flex-none dark:border-zinc-800">
          <label className="flex items-center justify-between gap-3">
            Results (k)
            <input
              type="number"
              min={1}
              max={maxK}
              value={k}
              data-testid="k-input"
              onChange={(e) => setK(Number(e.target.value))}
              aria-invalid={kInvalid || undefined}
              aria-describedby={kInvalid ? "k-error" : undefined}
              className={`w-20 rounded border px-2 py-1 dark:bg-zinc-900 ${kInvalid ? "border-red-500" : "border-zinc-300 dark:border-zinc-700"}`}
            />
          </label>
          {kInvalid ? (
            <p id="k-error" role="alert" className="text-xs text-red-700 dark:text-red-400">
              k must be a whole number from 1 to {maxK}.
            </p>
          ) : null}
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

      {!result && !error && busy ? <p className="text-sm text-zinc-600 dark:text-zinc-400" role="status">Searching…</p> : null}
      {!query ? <StartingPoints collectionId={collectionId} onPick={similarTo} /> : null}

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
            {busy ? <span className="text-indigo-700 dark:text-indigo-300">searching…</span> : null}
          </h2>
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6 xl:grid-cols-8" data-testid="results">
            {result.results.map((r) => (
              <li key={r.imageId} data-testid="result" data-image-id={r.imageId} className="overflow-hidden rounded-lg border border-zinc-200 dark:border-zinc-800">
                <Link href={`/collections/${collectionId}/images/${r.imageId}`} className="block focus-visible:-outline-offset-2">
                  {/* eslint-disable-next-line @next/next/no-img-element */}
                  <img src={r.thumbnailUrl} alt={`image ${r.imageId}`} loading="lazy" className="aspect-square w-full bg-zinc-100 object-cover dark:bg-zinc-900" />
                </Link>
                <div className="space-y-1 p-2 text-xs">
                  <div className="flex items-center justify-between">
                    <span data-testid="score" className="font-mono font-medium">{r.score.toFixed(3)}</span>
                    <button
                      type="button"
                      onClick={() => similarTo(r.imageId)}
                      title="Search for images similar to this one"
                      className="rounded bg-zinc-100 px-2 py-1 text-zinc-700 hover:bg-indigo-100 hover:text-indigo-800 dark:bg-zinc-800 dark:text-zinc-300 dark:hover:bg-indigo-950 dark:hover:text-indigo-200"
                    >
                      similar
                    </button>
                  </div>
                  {r.clusters.length ? (
                    <ul className="space-y-0.5" aria-label="Clusters">
                      {strongestPerScale(r.clusters).map((c) => (
                        <li key={c.clusterId} className="flex min-w-0 items-baseline gap-1">
                          <span className="shrink-0 text-zinc-500 dark:text-zinc-400">{c.scale}</span>
                          <Link
                            href={`/collections/${collectionId}/clusters/${c.clusterId}`}
                            title={`${c.name ?? `Cluster ${c.index + 1}`}: membership ${Math.round(c.weight * 100)}%`}
                            className="truncate text-indigo-700 hover:underline dark:text-indigo-300"
                          >
                            {c.name ?? `Cluster ${c.index + 1}`}
                          </Link>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
          {result.results.length === 0 ? <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing at or above the minimum score: lower it or clear it.</p> : null}
        </section>
      ) : null}
    </div>
  );
}

/** Before the first query: a few images of the collection to start from, so there is something to press. */
function StartingPoints({ collectionId, onPick }: { collectionId: number; onPick: (imageId: number) => void }) {
  const [images, setImages] = useState<{ id: number; name: string; thumbUrl: string }[] | null>(null);
  useEffect(() => {
    let live = true;
    fetch(`/api/collections/${collectionId}/images?limit=12`)
      .then((r) => (r.ok ? (r.json() as Promise<{ images: { id: number; name: string; thumbUrl: string }[] }>) : { images: [] }))
      .then((b) => live && setImages(b.images))
      .catch(() => live && setImages([]));
    return () => {
      live = false;
    };
  }, [collectionId]);
  if (!images?.length) return null;
  return (
    <section aria-labelledby="start-from" className="space-y-2" data-testid="starting-points">
      <h2 id="start-from" className="text-sm font-medium text-zinc-600 dark:text-zinc-400">
        Or start from one of the collection&apos;s images
      </h2>
      <ul className="grid grid-cols-4 gap-2 sm:grid-cols-6 lg:grid-cols-12">
        {images.map((img) => (
          <li key={img.id}>
            <button type="button" onClick={() => onPick(img.id)} className="block w-full" aria-label={`Find images similar to ${img.name}`}>
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={img.thumbUrl} alt="" className="aspect-square w-full rounded-md object-cover ring-indigo-500 hover:ring-2" />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

"use client";

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { jsonOrThrow } from "./api";

interface GridImage {
  id: number;
  name: string;
  label: string | null;
  thumbUrl: string;
}

const TILE = 140; // px, including the gap
const PAGE = 200;

/**
 * The collection's images in a virtualised grid that scrolls with the page: only the rows in view are in the DOM, and pages of
 * PAGE images are fetched with the API's cursor as the user scrolls towards the end, so 50k images
 * scroll smoothly.
 */
export function ImageGrid({ collectionId, labels, version }: { collectionId: number; labels: { label: string; count: number }[]; version: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [images, setImages] = useState<GridImage[]>([]);
  const [cursor, setCursor] = useState<number | null | undefined>(undefined); // undefined: first page not loaded
  const [label, setLabel] = useState("");
  const [q, setQ] = useState("");
  const [error, setError] = useState<string | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);

  const loadMore = useCallback(
    async (reset = false) => {
      if (loading.current && !reset) return;
      if (!reset && cursor === null) return;
      loading.current = true;
      const gen = reset ? ++generation.current : generation.current;
      const params = new URLSearchParams({ limit: String(PAGE) });
      if (!reset && cursor) params.set("cursor", String(cursor));
      if (label) params.set("label", label);
      if (q) params.set("q", q);
      try {
        const page = await jsonOrThrow<{ images: GridImage[]; nextCursor: number | null }>(
          await fetch(`/api/collections/${collectionId}/images?${params}`),
        );
        if (gen !== generation.current) return; // filters changed meanwhile
        setImages((prev) => (reset ? page.images : [...prev, ...page.images]));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        setError((e as Error).message);
      } finally {
        loading.current = false;
      }
    },
    [collectionId, cursor, label, q],
  );

  // First page, and again whenever filters change or an upload finished.
  useEffect(() => {
    const t = setTimeout(() => void loadMore(true), q ? 250 : 0);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [collectionId, label, q, version]);

  // The grid scrolls with the page (no box-in-a-box scrolling on a phone): its width, and where it starts
  // on the page, which moves when the upload list above it grows.
  const [margin, setMargin] = useState(0);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => {
      setWidth(el.clientWidth);
      setMargin(el.getBoundingClientRect().top + window.scrollY);
    };
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    ro.observe(document.body);
    measure();
    return () => ro.disconnect();
  }, []);

  // Columns of about TILE px, stretched to fill the width (two to a row on a phone).
  const inner = Math.max(0, width - 8);
  const columns = Math.max(2, Math.floor(inner / TILE));
  const tile = inner > 0 ? Math.floor(inner / columns) : TILE;
  const rows = Math.ceil(images.length / columns);
  // A small collection (one page, all loaded) is rendered whole: nothing pops in and the browser's find works. Bigger
  // ones render only the rows near the view, and the next page loads as the view nears the end.
  const whole = cursor === null && images.length <= PAGE;
  const virtualizer = useWindowVirtualizer({ count: rows, estimateSize: () => tile, overscan: whole ? rows : 4, scrollMargin: margin });
  useEffect(() => virtualizer.measure(), [tile, virtualizer]);
  const items = virtualizer.getVirtualItems();
  const lastRow = items.length > 0 ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (cursor && lastRow >= rows - 3) void loadMore();
  }, [lastRow, rows, cursor, loadMore]);

  return (
    <section aria-label="Images" className="space-y-3">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <input
          aria-label="Search by file name"
          placeholder="Search file names"
          type="search"
          className="w-56 max-w-full rounded-md border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        {labels.length > 0 ? (
          <select
            aria-label="Filter by label"
            className="rounded-md border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          >
            <option value="">all labels</option>
            {labels.map((l) => (
              <option key={l.label} value={l.label}>
                {l.label} ({l.count})
              </option>
            ))}
          </select>
        ) : null}
        <span className="text-zinc-600 dark:text-zinc-400" data-testid="grid-count">
          {images.length}
          {cursor ? "+" : ""} shown
        </span>
        {error ? (
          <span role="alert" className="text-red-700 dark:text-red-400">
            Could not load the images: {error}
          </span>
        ) : null}
      </div>
      <div ref={scroller} className="min-h-40 rounded-lg border border-zinc-200 pb-2 dark:border-zinc-800" data-testid="image-grid">
        {cursor !== undefined && images.length === 0 ? <p className="p-6 text-sm text-zinc-600 dark:text-zinc-400">{q || label ? "No image matches these filters." : "No images yet: drop some on the box above."}</p> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((row) => (
            <div key={row.key} className="absolute left-0 flex gap-2 px-2" style={{ top: row.start - margin, height: tile, paddingTop: 8 }}>
              {images.slice(row.index * columns, (row.index + 1) * columns).map((img) => (
                <div key={img.id} className="group relative" style={{ width: tile - 8, height: tile - 8 }}>
                <Link
                  href={`/collections/${collectionId}/images/${img.id}`}
                  className="relative block h-full w-full overflow-hidden rounded-md bg-zinc-100 focus-visible:-outline-offset-2 dark:bg-zinc-900"
                  title={img.label ? `${img.name} (${img.label})` : img.name}
                  data-image-id={img.id}
                >
                  {/* eslint-disable-next-line @next/next/no-img-element */}
                  <img src={img.thumbUrl} alt={img.name} loading="lazy" decoding="async" className="h-full w-full object-cover" />
                  {img.label ? (
                    <span className="absolute inset-x-0 bottom-0 truncate bg-black/50 px-1 text-[11px] text-white">{img.label}</span>
                  ) : null}
                </Link>
                <Link
                  href={`/collections/${collectionId}/search?imageId=${img.id}`}
                  className="absolute right-1 top-1 rounded bg-white/90 px-2 py-1 text-xs font-medium text-zinc-800 shadow [@media(hover:hover)]:opacity-0 [@media(hover:hover)]:group-focus-within:opacity-100 [@media(hover:hover)]:group-hover:opacity-100"
                  aria-label={`Find images similar to ${img.name}`}
                >
                  similar
                </Link>
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { decodeMap, type MapData } from "@/lib/clusters/map-format";

/**
 * The 2-D map of the whole collection on a canvas: every image a small square dot coloured by its cluster at the
 * chosen scale; drag to pan, wheel to zoom around the cursor, hover for the thumbnail, click to open.
 *
 * Dots are written straight into an ImageData buffer (one Uint32 store per pixel), which redraws 60k
 * points in a few milliseconds, and redraws happen at most once per animation frame. Hover looks up the
 * nearest point in a uniform grid over the layout (cells of ~8 points), not over all points.
 */

const GRID = 256;
const HOVER_PX = 8;

/** Distinct colours by the golden angle around the hue circle, as little-endian RGBA words. */
function palette(count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const h = (i * 137.508) % 360;
    const l = i % 2 ? 0.42 : 0.55;
    const s = 0.7;
    const f = (k: number) => {
      const kk = (k + h / 30) % 12;
      return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(kk - 3, 9 - kk, 1))));
    };
    out[i] = (255 << 24) | (f(4) << 16) | (f(8) << 8) | f(0);
  }
  return out;
}

export const cssColour = (word: number) => `rgb(${word & 255}, ${(word >> 8) & 255}, ${(word >> 16) & 255})`;

interface View {
  /** Pixels per layout unit and the layout point at the canvas's top-left corner. */
  scale: number;
  x0: number;
  y0: number;
}

function buildGrid(map: MapData): Int32Array[] {
  const cells: number[][] = Array.from({ length: GRID * GRID }, () => []);
  for (let i = 0; i < map.n; i++) {
    const gx = Math.min(GRID - 1, Math.floor(map.xy[2 * i] * GRID));
    const gy = Math.min(GRID - 1, Math.floor(map.xy[2 * i + 1] * GRID));
    cells[gy * GRID + gx].push(i);
  }
  return cells.map((c) => Int32Array.from(c));
}

export function ClusterMap({ collectionId, initialScale }: { collectionId: number; initialScale?: string }) {
  const router = useRouter();
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scaleIndex, setScaleIndex] = useState(0);
  const [size, setSize] = useState({ w: 800, h: 600 });
  const view = useRef<View>({ scale: 560, x0: -0.1, y0: -0.05 });
  const [hover, setHover] = useState<{ i: number; px: number; py: number } | null>(null);
  const frame = useRef(0);
  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null);
  const pixels = useRef<ImageData | null>(null);

  useEffect(() => {
    fetch(`/api/collections/${collectionId}/clusters/map`)
      .then(async (r) => {
        if (!r.ok) throw new Error(((await r.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${r.status}`);
        return decodeMap(new Uint8Array(await r.arrayBuffer()));
      })
      .then((m) => {
        setMap(m);
        const s = m.scales.findIndex((x) => x.name === initialScale);
        setScaleIndex(s >= 0 ? s : 0);
      })
      .catch((e: Error) => setError(e.message));
  }, [collectionId, initialScale]);

  const grid = useMemo(() => (map ? buildGrid(map) : null), [map]);
  const colours = useMemo(() => (map ? palette(Math.max(...map.scales.map((s) => s.m), 1)) : null), [map]);

  const fit = useCallback((w: number, h: number) => {
    const scale = Math.min(w, h) * 0.92;
    view.current = { scale, x0: -(w - scale) / 2 / scale, y0: -(h - scale) / 2 / scale };
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      const w = Math.max(200, Math.floor(entry.contentRect.width));
      const h = Math.max(300, Math.floor(Math.min(window.innerHeight * 0.75, w * 0.7)));
      setSize((old) => {
        if (old.w !== w || old.h !== h) fit(w, h);
        return { w, h };
      });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [fit]);

  const draw = useCallback(() => {
    frame.current = 0;
    const c = canvas.current;
    if (!c || !map || !colours) return;
    const ctx = c.getContext("2d");
    if (!ctx) return;
    const { w, h } = size;
    // One pixel buffer per canvas size, cleared each frame.
    if (pixels.current?.width !== w || pixels.current.height !== h) pixels.current = ctx.createImageData(w, h);
    const img = pixels.current;
    const px = new Uint32Array(img.data.buffer);
    px.fill(0);
    const { scale, x0, y0 } = view.current;
    const labels = map.labels[scaleIndex];
    // Bigger dots when there are few points or the view is zoomed in.
    const dot = Math.min(10, (map.n < 300 ? 8 : map.n < 2000 ? 4 : map.n < 20_000 ? 3 : 2) + (scale > 3000 ? 1 : 0));
    for (let i = 0; i < map.n; i++) {
      const x = Math.round((map.xy[2 * i] - x0) * scale);
      const y = Math.round((map.xy[2 * i + 1] - y0) * scale);
      if (x < 0 || y < 0 || x + dot > w || y + dot > h) continue;
      const colour = colours[labels[i] % colours.length];
      for (let dy = 0; dy < dot; dy++) for (let dx = 0; dx < dot; dx++) px[(y + dy) * w + x + dx] = colour;
    }
    ctx.putImageData(img, 0, 0);
    if (hover) {
      ctx.strokeStyle = matchMedia("(prefers-color-scheme: dark)").matches ? "#f4f4f5" : "#111";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc((map.xy[2 * hover.i] - x0) * scale + dot / 2, (map.xy[2 * hover.i + 1] - y0) * scale + dot / 2, 6, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }, [map, colours, size, scaleIndex, hover]);

  const redraw = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  useEffect(() => {
    redraw();
  }, [redraw]);

  /** The point under canvas position (px, py), within HOVER_PX pixels, or -1. */
  const pick = useCallback(
    (px: number, py: number): number => {
      if (!map || !grid) return -1;
      const { scale, x0, y0 } = view.current;
      const lx = px / scale + x0;
      const ly = py / scale + y0;
      const r = HOVER_PX / scale;
      let best = -1;
      let bestD = r * r;
      const gx0 = Math.max(0, Math.floor((lx - r) * GRID));
      const gx1 = Math.min(GRID - 1, Math.floor((lx + r) * GRID));
      const gy0 = Math.max(0, Math.floor((ly - r) * GRID));
      const gy1 = Math.min(GRID - 1, Math.floor((ly + r) * GRID));
      for (let gy = gy0; gy <= gy1; gy++)
        for (let gx = gx0; gx <= gx1; gx++)
          for (const i of grid[gy * GRID + gx]) {
            const d = (map.xy[2 * i] - lx) ** 2 + (map.xy[2 * i + 1] - ly) ** 2;
            if (d < bestD) [best, bestD] = [i, d];
          }
      return best;
    },
    [map, grid],
  );

  function onMove(e: React.PointerEvent<HTMLCanvasElement>) {
    const rect = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    if (drag.current) {
      const dx = e.clientX - drag.current.x;
      const dy = e.clientY - drag.current.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.current.moved = true;
      view.current = { ...view.current, x0: view.current.x0 - dx / view.current.scale, y0: view.current.y0 - dy / view.current.scale };
      drag.current.x = e.clientX;
      drag.current.y = e.clientY;
      setHover(null);
      redraw();
      return;
    }
    const i = pick(px, py);
    setHover(i < 0 ? null : { i, px, py });
  }

  /** Arrow keys pan by a tenth of the view, + and - zoom around the centre, 0 fits the map again. */
  function onKey(e: React.KeyboardEvent<HTMLCanvasElement>) {
    const v = view.current;
    const step = (Math.min(size.w, size.h) / 10) / v.scale;
    const pan: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (pan[e.key]) view.current = { ...v, x0: v.x0 + pan[e.key][0], y0: v.y0 + pan[e.key][1] };
    else if (e.key === "+" || e.key === "=" || e.key === "-") {
      const scale = Math.min(200_000, Math.max(50, v.scale * (e.key === "-" ? 1 / 1.25 : 1.25)));
      const [cx, cy] = [size.w / 2, size.h / 2];
      view.current = { scale, x0: v.x0 + cx / v.scale - cx / scale, y0: v.y0 + cy / v.scale - cy / scale };
    } else if (e.key === "0") fit(size.w, size.h);
    else return;
    e.preventDefault();
    redraw();
  }

  function onWheel(e: React.WheelEvent<HTMLCanvasElement>) {
    const rect = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    const v = view.current;
    const factor = Math.exp(-e.deltaY * 0.0015);
    const scale = Math.min(200_000, Math.max(50, v.scale * factor));
    // Keep the layout point under the cursor where it is.
    view.current = { scale, x0: v.x0 + px / v.scale - px / scale, y0: v.y0 + py / v.scale - py / scale };
    redraw();
  }

  // React's onWheel is passive: block the page scroll with a native listener instead.
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const stop = (e: WheelEvent) => e.preventDefault();
    c.addEventListener("wheel", stop, { passive: false });
    return () => c.removeEventListener("wheel", stop);
  }, []);

  if (error)
    return (
      <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
        The map cannot be shown: {error}
      </p>
    );
  const scale = map?.scales[scaleIndex];
  const hovered = map && hover ? { id: map.ids[hover.i], cluster: map.labels[scaleIndex][hover.i] } : null;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        {map ? (
          <>
            <label className="flex items-center gap-2">
              Colour by
              <select
                value={scaleIndex}
                onChange={(e) => setScaleIndex(Number(e.target.value))}
                className="rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
                aria-label="Scale"
              >
                {map.scales.map((s, i) => (
                  <option key={s.name} value={i}>
                    {s.name} ({s.m} clusters)
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              onClick={() => {
                fit(size.w, size.h);
                redraw();
              }}
              className="rounded-md border border-zinc-300 px-2 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              Reset view
            </button>
            <span className="text-zinc-600 dark:text-zinc-400" data-testid="map-count">
              {map.n.toLocaleString("en")} images · {map.method.toUpperCase()} layout · drag or arrow keys to pan, scroll or +/- to zoom
            </span>
          </>
        ) : (
          <span className="text-zinc-600 dark:text-zinc-400" role="status">Loading the map…</span>
        )}
      </div>
      {map && colours && scale && scale.m <= 40 ? (
        <ul className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Colours" data-testid="map-legend">
          {Array.from({ length: scale.m }, (_, c) => (
            <li key={c} className="flex items-center gap-1">
              <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: cssColour(colours[c % colours.length]) }} />
              Cluster {c + 1}
            </li>
          ))}
        </ul>
      ) : null}
      <div ref={box} className="relative overflow-hidden rounded-lg border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900">
        <canvas
          ref={canvas}
          width={size.w}
          height={size.h}
          data-testid="cluster-map"
          data-points={map?.n ?? 0}
          className={`focus-visible:-outline-offset-2 ${hover ? "cursor-pointer" : "cursor-grab"}`}
          style={{ width: size.w, height: size.h, touchAction: "none" }}
          onPointerDown={(e) => {
            drag.current = { x: e.clientX, y: e.clientY, moved: false };
            e.currentTarget.setPointerCapture(e.pointerId);
          }}
          onPointerUp={(e) => {
            const d = drag.current;
            drag.current = null;
            if (d && !d.moved && map) {
              const rect = e.currentTarget.getBoundingClientRect();
              const i = pick(e.clientX - rect.left, e.clientY - rect.top);
              if (i >= 0) router.push(`/collections/${collectionId}/images/${map.ids[i]}`);
            }
          }}
          onPointerMove={onMove}
          tabIndex={0}
          role="img"
          aria-label={`Map of ${map?.n ?? 0} images. Arrow keys pan, + and - zoom, 0 resets the view.`}
          onKeyDown={onKey}
          onPointerLeave={() => setHover(null)}
          onWheel={onWheel}
        />
        {hovered && hover && colours && scale ? (
          <div
            className="pointer-events-none absolute z-10 w-32 rounded-md border border-zinc-200 bg-white p-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-950"
            style={{ left: Math.min(hover.px + 14, size.w - 136), top: Math.min(hover.py + 14, size.h - 160) }}
            data-testid="map-hover"
          >
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={`/api/images/${hovered.id}/thumb`} alt="" className="aspect-square w-full rounded object-cover" />
            <div className="mt-1 flex items-center gap-1 text-xs">
              <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: cssColour(colours[hovered.cluster % colours.length]) }} />
              {scale.name} cluster {hovered.cluster + 1}
            </div>
          </div>
        ) : null}
      </div>
    </div>
  );
}

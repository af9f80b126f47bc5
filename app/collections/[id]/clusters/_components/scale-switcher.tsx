import Link from "next/link";
import type { ScaleView } from "@/lib/clusters/clusters.query";

/** Coarse to fine: one link per scale, the current one highlighted. */
export function ScaleSwitcher({ scales, current, href }: { scales: ScaleView[]; current: string; href: (scale: string) => string }) {
  return (
    <nav aria-label="Scale" className="inline-flex overflow-hidden rounded-md border border-zinc-300 text-sm dark:border-zinc-700">
      {scales.map((s) => (
        <Link
          key={s.scale}
          href={href(s.scale)}
          aria-current={s.scale === current ? "page" : undefined}
          className={`border-r border-zinc-300 px-3 py-1.5 last:border-r-0 focus-visible:-outline-offset-2 dark:border-zinc-700 ${
            s.scale === current ? "bg-indigo-600 text-white" : "hover:bg-zinc-100 dark:hover:bg-zinc-800"
          }`}
        >
          <span className="capitalize">{s.scale}</span> <span className={s.scale === current ? "text-indigo-100" : "text-zinc-500 dark:text-zinc-400"}>{s.m}</span>
        </Link>
      ))}
    </nav>
  );
}

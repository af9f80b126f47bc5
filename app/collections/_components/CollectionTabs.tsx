"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const TABS: { href: string; label: string; also?: string }[] = [
  { href: "", label: "Images" },
  { href: "/search", label: "Search" },
  { href: "/clusters", label: "Clusters" },
  { href: "/clusters/map", label: "Map" },
  { href: "/train", label: "Training", also: "/models" },
];

/** The sections of one collection; the longest matching prefix is the current one. */
export function CollectionTabs({ collectionId, name }: { collectionId: number; name: string }) {
  const pathname = usePathname();
  const base = `/collections/${collectionId}`;
  const within = (href: string) => pathname === base + href || pathname.startsWith(`${base + href}/`);
  const current = TABS.filter((t) => within(t.href) || (t.also !== undefined && within(t.also)))
    .sort((a, b) => b.href.length - a.href.length)[0];
  return (
    <nav aria-label={`Collection ${name}`} className="-mx-4 mb-6 overflow-x-auto border-b border-zinc-200 px-4 dark:border-zinc-800">
      <div className="flex items-center gap-1">
        <Link href="/collections" className="mr-2 shrink-0 py-2 text-sm text-zinc-500 hover:underline">
          Collections /
        </Link>
        <span className="mr-4 shrink-0 py-2 text-sm font-semibold">{name}</span>
        {TABS.map((t) => {
          const active = t === current;
          return (
            <Link
              key={t.href}
              href={base + t.href}
              aria-current={active ? "page" : undefined}
              className={`shrink-0 border-b-2 px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-indigo-500 ${
                active
                  ? "border-indigo-600 font-medium text-indigo-700 dark:text-indigo-300"
                  : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white"
              }`}
            >
              {t.label}
            </Link>
          );
        })}
      </div>
    </nav>
  );
}

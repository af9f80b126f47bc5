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

/**
 * The sections of one collection; the longest matching prefix is the current one. On a phone the
 * collection's name sits above the tabs, and the tab row scrolls sideways inside itself if it must.
 */
export function CollectionTabs({ collectionId, name }: { collectionId: number; name: string }) {
  const pathname = usePathname();
  const base = `/collections/${collectionId}`;
  const within = (href: string) => pathname === base + href || pathname.startsWith(`${base + href}/`);
  const current = TABS.filter((t) => within(t.href) || (t.also !== undefined && within(t.also)))
    .sort((a, b) => b.href.length - a.href.length)[0];
  return (
    <div className="-mx-4 -mt-2 mb-6 border-b border-zinc-200 px-4 dark:border-zinc-800 sm:flex sm:items-end sm:gap-4">
      <p className="flex min-w-0 items-center gap-1.5 py-2 text-sm sm:max-w-[40%]">
        <Link href="/collections" className="shrink-0 text-zinc-600 hover:underline dark:text-zinc-400">
          Collections
        </Link>
        <span aria-hidden className="text-zinc-400 dark:text-zinc-600">
          /
        </span>
        <Link href={base} className="truncate font-semibold hover:underline" title={name}>
          {name}
        </Link>
      </p>
      <nav aria-label={`Collection ${name}`} className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
        <ul className="flex">
          {TABS.map((t) => {
            const active = t === current;
            return (
              <li key={t.href} className="shrink-0">
                <Link
                  href={base + t.href}
                  aria-current={active ? "page" : undefined}
                  className={`block border-b-2 px-3 py-2.5 text-sm focus-visible:-outline-offset-2 ${
                    active
                      ? "border-indigo-600 font-medium text-indigo-700 dark:border-indigo-400 dark:text-indigo-300"
                      : "border-transparent text-zinc-600 hover:border-zinc-300 hover:text-zinc-900 dark:text-zinc-400 dark:hover:border-zinc-600 dark:hover:text-white"
                  }`}
                >
                  {t.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
    </div>
  );
}

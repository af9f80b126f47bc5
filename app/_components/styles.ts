/** Shared class lists, so buttons and links look and focus the same on every page. */
export const primaryButton =
  "inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-50";
export const secondaryButton =
  "inline-flex items-center justify-center rounded-md border border-zinc-300 px-4 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-100 disabled:cursor-not-allowed disabled:opacity-50 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800";
export const textLink = "text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300";
export const muted = "text-zinc-600 dark:text-zinc-400";

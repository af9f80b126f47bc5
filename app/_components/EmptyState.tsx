/**
 * What a page shows before there is anything to show: what is missing, and the one thing to do next
 * (a link or button passed as `action`).
 */
export function EmptyState({ title, children, action, testId = "empty-state" }: { title: string; children?: React.ReactNode; action?: React.ReactNode; testId?: string }) {
  return (
    <div data-testid={testId} className="rounded-lg border border-dashed border-zinc-300 px-6 py-10 text-center dark:border-zinc-700">
      <h2 className="text-base font-semibold">{title}</h2>
      {children ? <div className="mx-auto mt-2 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">{children}</div> : null}
      {action ? <div className="mt-5 flex flex-wrap items-center justify-center gap-3">{action}</div> : null}
    </div>
  );
}

"use client";

import { EmptyState } from "./_components/EmptyState";
import { primaryButton } from "./_components/styles";

/** A page that failed to render: say so in the page, offer to try again (the server log has the details). */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert">
      <EmptyState
        title="This page could not be shown"
        action={
          <button type="button" className={primaryButton} onClick={reset}>
            Try again
          </button>
        }
      >
        Something went wrong on the server{error.digest ? ` (reference ${error.digest})` : ""}. If it keeps happening, the web app&apos;s log says why.
      </EmptyState>
    </div>
  );
}

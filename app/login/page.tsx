export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next = "/", error } = await searchParams;
  return (
    <form method="post" action="/api/auth/login" className="mx-auto mt-16 max-w-sm space-y-4 rounded-lg border border-zinc-200 p-6 dark:border-zinc-800">
      <h1 className="text-lg font-semibold">Log in</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">This service is protected by an access token (LA_AUTH_TOKEN).</p>
      <input type="hidden" name="next" value={next} />
      <label className="block space-y-1">
        <span className="text-sm font-medium">Access token</span>
        <input
          name="token" type="password" required autoFocus autoComplete="current-password"
          className="w-full rounded-md border border-zinc-300 bg-transparent px-3 py-2 dark:border-zinc-700"
        />
      </label>
      {error ? <p role="alert" className="text-sm text-red-600 dark:text-red-400">That token is not right.</p> : null}
      <button type="submit" className="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">
        Log in
      </button>
    </form>
  );
}

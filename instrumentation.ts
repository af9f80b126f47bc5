// Runs once when the Next.js server starts: repair the data directory before serving anything.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { recoverStore } = await import("@/lib/collections/recovery");
    await recoverStore();
  }
}

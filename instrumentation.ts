// Runs once when the Next.js server starts: repair the data directory before serving anything, then
// queue index appends for images uploaded into collections that have an active model.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { recoverStore } = await import("@/lib/collections/recovery");
    await recoverStore();
    const { registerIndexUpdater } = await import("@/lib/jobs/index-updater");
    registerIndexUpdater();
  }
}

/**
 * Runs `<entry> <name> [options]`: imports the module registered for `name` and exits with the code
 * its `run(argv)` returns. Shared by `npm run la` (cli/la.ts) and `npm run bench` (bench/main.ts).
 */
export function dispatch(usage: string, commands: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>>): void {
  const [name, ...argv] = process.argv.slice(2);
  const load = name ? commands[name] : undefined;
  if (!load) {
    console.error(`usage: ${usage} <${Object.keys(commands).join("|")}> [options]`);
    process.exit(2);
  }
  load()
    .then((mod) => mod.run(argv))
    .then(
      (code) => process.exit(code),
      (e) => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
      },
    );
}

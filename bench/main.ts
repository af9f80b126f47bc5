// `npm run bench -- <name> [--json]`: on-demand benchmarks. Each lives in bench/<name>.ts and exports `run(argv: string[]): Promise<number>` (the exit code).
const commands: Record<string, string> = {
  train: "./train",
  kernels: "./kernels",
  ingest: "./ingest",
  search: "./search",
};

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  const modulePath = name ? commands[name] : undefined;
  if (!modulePath) {
    console.error(`usage: npm run bench -- <${Object.keys(commands).join("|")}> [options]`);
    return 2;
  }
  const mod = (await import(modulePath)) as { run(argv: string[]): Promise<number> };
  return mod.run(argv);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);

export {};

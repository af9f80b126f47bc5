// `npm run la -- <command> [options]`: the command line of the service. Each command lives in
// cli/commands/<command>.ts and exports `run(argv: string[]): Promise<number>` (the exit code).
const commands: Record<string, string> = {
  eval: "./commands/eval",
  import: "./commands/import",
  demo: "./commands/demo",
  train: "./commands/train",
  jobs: "./commands/jobs",
  clusters: "./commands/clusters",
};

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  const modulePath = name ? commands[name] : undefined;
  if (!modulePath) {
    console.error(`usage: npm run la -- <${Object.keys(commands).join("|")}> [options]`);
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

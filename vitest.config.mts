import { defineConfig } from "vitest/config";

// Three suites, runnable alone (`npm run test:unit` ...) or together (`npx vitest run`).
// Files run one at a time: tests start servers and train models, and the machine has two cores.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    pool: "forks",
    fileParallelism: false,
    hookTimeout: 180_000,
    testTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/setup/global.ts"],
          setupFiles: ["tests/setup/data-dir.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          globalSetup: ["tests/setup/global.ts"],
          setupFiles: ["tests/setup/data-dir.ts"],
        },
      },
    ],
  },
});

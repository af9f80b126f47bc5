/**
 * Another process that writes to the database all the time, as a busy worker does (heartbeats,
 * progress, metrics), so that tests can check the web process copes with SQLite's single writer.
 * Run with `node --import tsx tests/helpers/db-writer.ts`; writes a Worker row as fast as it can until killed.
 */
import { prisma } from "@/lib/db/client";

async function main() {
  let writes = 0;
  let stopping = false;
  process.on("SIGTERM", () => (stopping = true));
  const now = () => new Date();
  while (!stopping) {
    await prisma.worker.upsert({
      where: { id: "db-writer" },
      create: { id: "db-writer", hostname: "test", pid: process.pid, startedAt: now(), lastSeenAt: now() },
      update: { lastSeenAt: now() },
    });
    if (++writes === 1) process.stdout.write("writing\n");
    await new Promise((r) => setImmediate(r));
  }
  await prisma.$disconnect();
  process.stdout.write(`${writes}\n`);
}

void main();

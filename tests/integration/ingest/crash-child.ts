// Child process of crash.test.ts: ingests one file and is SIGKILLed by the store's test seam after the
// files are renamed into place and before the row is committed.
import fs from "node:fs";
import { ingestFile } from "@/lib/images/ingest.service";
import { storeHooks } from "@/lib/images/store";

const [collectionId, file] = process.argv.slice(2);
storeHooks.beforeCommit = () => {
  process.stdout.write("files written, dying before commit\n");
  process.kill(process.pid, "SIGKILL");
};
ingestFile(Number(collectionId), { name: "crash.jpg", bytes: fs.readFileSync(file) }).then(() => {
  console.error("the hook did not fire");
  process.exit(3);
});

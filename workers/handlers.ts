import { createRegistry, type JobRegistry } from "@/lib/jobs/registry";
import { clusterHandler } from "./cluster.handler";
import { indexAppendHandler } from "./index-append.handler";
import { indexHandler } from "./index.handler";
import { sleepHandler } from "./sleep.handler";
import { finetuneHandler, trainHandler } from "./train.handler";

/** Every job handler; the registry refuses to start if one is missing or doubled. */
export function createJobRegistry(): JobRegistry {
  return createRegistry([trainHandler, finetuneHandler, indexHandler, clusterHandler, indexAppendHandler, sleepHandler] as never);
}

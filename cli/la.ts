// `npm run la -- <command> [options]`: the command line of the service; one file per command.
import { dispatch } from "./dispatch";

dispatch("npm run la --", {
  eval: () => import("./commands/eval"),
  import: () => import("./commands/import"),
  demo: () => import("./commands/demo"),
  train: () => import("./commands/train"),
  jobs: () => import("./commands/jobs"),
  clusters: () => import("./commands/clusters"),
});

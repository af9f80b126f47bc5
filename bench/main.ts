// `npm run bench -- <name> [--json]`: on-demand benchmarks; one file per benchmark.
import { dispatch } from "../cli/dispatch";

dispatch("npm run bench --", {
  train: () => import("./train"),
  kernels: () => import("./kernels"),
  ingest: () => import("./ingest"),
  search: () => import("./search"),
});

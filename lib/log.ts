import pino from "pino";

/** The one logger. Children carry their context: logger.child({ ctx: "worker", jobId }). */
export const logger = pino({
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === "test" ? "warn" : "info"),
  base: { pid: process.pid },
});

export type Logger = pino.Logger;

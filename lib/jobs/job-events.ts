/**
 * The server-sent event stream of one job (GET /api/jobs/:id/events), polled from the database
 * once a second (the worker is another process):
 *   event: job      data: JobView              whenever the row changed
 *   event: metrics  data: MetricPoint[]        new points of the loss curve
 *   event: end      data: JobView              once the job is succeeded / failed / cancelled; then closed
 * Comment lines keep idle proxies from closing the stream.
 */
import { getJob, getJobMetrics, isTerminal } from "./job.service";

const POLL_MS = 1000;

export function jobEventStream(jobId: number, signal: AbortSignal, pollMs = POLL_MS): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let lastUpdate = "";
      let lastMetric = 0;
      let closed = false;
      const send = (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      const close = () => {
        if (closed) return;
        closed = true;
        clearTimeout(timer);
        controller.close();
      };
      signal.addEventListener("abort", close);
      const tick = async () => {
        try {
          const job = await getJob(jobId);
          const points = await getJobMetrics(jobId, lastMetric);
          if (closed) return;
          if (points.length) {
            lastMetric = points.at(-1)!.id;
            send("metrics", points);
          }
          if (job.updatedAt !== lastUpdate) {
            lastUpdate = job.updatedAt;
            send("job", job);
          } else controller.enqueue(encoder.encode(": waiting\n\n"));
          if (isTerminal(job.status)) {
            send("end", job);
            return close();
          }
          timer = setTimeout(() => void tick(), pollMs);
        } catch (e) {
          if (!closed) send("error", { error: (e as Error).message });
          close();
        }
      };
      await tick();
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}

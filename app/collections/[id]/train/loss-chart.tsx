"use client";

import { CategoryScale, Chart as ChartJS, Filler, LinearScale, LineElement, PointElement, Tooltip } from "chart.js";
import { Line } from "react-chartjs-2";
import type { MetricPoint } from "@/lib/jobs/job.service";
import { useChartTheme } from "../../../_components/chart-theme";

ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, Tooltip, Filler);

/** The live training loss, one point per progress write (about one a second). */
export function LossChart({ points }: { points: MetricPoint[] }) {
  const theme = useChartTheme();
  const data = {
    labels: points.map((p) => `epoch ${p.epoch} · step ${p.step}`),
    datasets: [
      {
        label: "loss",
        data: points.map((p) => p.loss),
        borderColor: theme === "dark" ? "rgb(129, 140, 248)" : "rgb(79, 70, 229)",
        backgroundColor: "rgba(79, 70, 229, 0.12)",
        fill: true,
        pointRadius: points.length > 60 ? 0 : 2,
        tension: 0.25,
      },
    ],
  };
  return (
    <div className="h-64" data-testid="loss-chart">
      <Line
        key={theme}
        data={data}
        options={{
          plugins: { legend: { display: false }, tooltip: { intersect: false, mode: "index" } },
          scales: { x: { ticks: { maxTicksLimit: 8, autoSkip: true } }, y: { title: { display: true, text: "loss" } } },
        }}
      />
    </div>
  );
}

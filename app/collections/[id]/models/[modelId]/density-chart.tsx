"use client";

import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip } from "chart.js";
import { Bar } from "react-chartjs-2";
import type { DensityReport } from "@/lib/la/density";
import { useChartTheme } from "../../../../_components/chart-theme";

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip, Legend);

/**
 * Local vs background density (LA-SPEC.md): how many images have a given mean similarity to their 10
 * nearest neighbours (local) and to their k_bg nearest (background). LA pulls the local curve right
 * much more than the background one.
 */
export function DensityChart({ report }: { report: DensityReport }) {
  const theme = useChartTheme();
  const { local, background } = report;
  const bins = local.counts.length;
  const width = (local.hi - local.lo) / bins;
  // Only the bins where something is, with one empty bin either side, so the shapes are readable.
  const used = local.counts.map((c, i) => c + background.counts[i] > 0);
  const first = Math.max(0, used.indexOf(true) - 1);
  const last = Math.min(bins - 1, used.lastIndexOf(true) + 1);
  const range = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const data = {
    labels: range.map((i) => (local.lo + (i + 0.5) * width).toFixed(2)),
    datasets: [
      { label: "local (10 nearest)", data: range.map((i) => local.counts[i]), backgroundColor: "rgba(79, 70, 229, 0.75)" },
      { label: "background (k_bg nearest)", data: range.map((i) => background.counts[i]), backgroundColor: "rgba(245, 158, 11, 0.7)" },
    ],
  };
  return (
    <div className="h-72" data-testid="density-chart">
      <Bar
        key={theme}
        data={data}
        options={{
          plugins: { legend: { position: "bottom" }, tooltip: { mode: "index", intersect: false } },
          scales: {
            x: { title: { display: true, text: "mean cosine similarity to neighbours" } },
            y: { title: { display: true, text: "images" }, beginAtZero: true },
          },
        }}
      />
    </div>
  );
}

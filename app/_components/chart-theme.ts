"use client";

import { Chart as ChartJS } from "chart.js";
import { useSyncExternalStore } from "react";

const query = "(prefers-color-scheme: dark)";
const subscribe = (onChange: () => void) => {
  const mq = matchMedia(query);
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
};

/**
 * Chart.js draws on a canvas, out of reach of Tailwind's dark: classes: this sets its text and grid
 * colours from the system theme (and follows a change), and the project's chart defaults (fill the
 * container's height, no animation). Returns the theme, to use as a React key so charts redraw with the
 * new colours.
 */
export function useChartTheme(): "dark" | "light" {
  const dark = useSyncExternalStore(subscribe, () => matchMedia(query).matches, () => false);
  ChartJS.defaults.maintainAspectRatio = false;
  ChartJS.defaults.animation = false;
  ChartJS.defaults.color = dark ? "#a1a1aa" : "#52525b"; // zinc-400 / zinc-600
  ChartJS.defaults.borderColor = dark ? "rgba(255, 255, 255, 0.12)" : "rgba(0, 0, 0, 0.1)";
  return dark ? "dark" : "light";
}

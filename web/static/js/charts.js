// Small helpers around the vendored Chart.js (loaded as a classic script: `window.Chart`).

export const COLORS = {
  accent: "#0b5cad",
  accentSoft: "rgba(11, 92, 173, 0.25)",
  ok: "#1a7f37",
  okSoft: "rgba(26, 127, 55, 0.35)",
  danger: "#b42318",
  dangerSoft: "rgba(180, 35, 24, 0.35)",
  warn: "#8a5a00",
  muted: "#596677",
  grey: "#c9d1dc",
};

const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/** Create a chart on `canvas` with the dashboard's defaults (no animation if the user prefers less motion). */
export function makeChart(canvas, config) {
  const Chart = window.Chart;
  if (!Chart || !canvas) return null;
  const options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: REDUCED_MOTION ? false : { duration: 300 },
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    ...config.options,
  };
  return new Chart(canvas, { ...config, options });
}

/** Replace a chart's labels and datasets' data in place, keeping its look. */
export function updateChart(chart, labels, series) {
  if (!chart) return;
  chart.data.labels = labels;
  series.forEach((data, index) => {
    chart.data.datasets[index].data = data;
  });
  chart.update();
}

/** A bucket start as a short axis label: "14:00" for hours, "06-03" for days (UTC). */
export function bucketLabel(iso, bucket) {
  const moment = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  if (bucket === "day") return `${pad(moment.getUTCMonth() + 1)}-${pad(moment.getUTCDate())}`;
  return `${pad(moment.getUTCHours())}:00`;
}

/** A number as people read it: 1,234, 3.42 or 0.0071 (two significant digits below 1). */
export function formatNumber(value) {
  if (typeof value !== "number" || Number.isNaN(value)) return "—";
  if (Number.isInteger(value)) return value.toLocaleString("en");
  if (Math.abs(value) < 1) return value.toLocaleString("en", { maximumSignificantDigits: 2 });
  return value.toLocaleString("en", { maximumFractionDigits: value < 100 ? 2 : 0 });
}

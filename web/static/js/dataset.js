// The dataset page's chart: a numeric column over time (GET /api/v1/datasets/{name}/series),
// anomalies as red points so they stand out (and are named in the tooltip, not by colour alone).

import { api } from "./api.js";
import { COLORS, formatNumber, makeChart } from "./charts.js";

const form = document.getElementById("series-controls");
const summary = document.getElementById("series-summary");
const errorBox = document.getElementById("series-error");
const canvas = document.getElementById("chart-series");
let chart = null;

function label(point) {
  return new Date(point.at).toISOString().replace("T", " ").slice(0, 16);
}

function draw(series) {
  const points = series.points;
  const anomalies = points.filter((p) => p.anomaly === true).length;
  const data = {
    labels: points.map(label),
    datasets: [
      {
        label: series.column,
        data: points.map((p) => p.value),
        borderColor: COLORS.accent,
        backgroundColor: COLORS.accentSoft,
        borderWidth: 1.5,
        tension: 0.15,
        pointRadius: points.map((p) => (p.anomaly ? 5 : 2)),
        pointStyle: points.map((p) => (p.anomaly ? "rectRot" : "circle")),
        pointBackgroundColor: points.map((p) => (p.anomaly ? COLORS.danger : COLORS.accent)),
        pointBorderColor: points.map((p) => (p.anomaly ? COLORS.danger : COLORS.accent)),
      },
    ],
  };
  const tooltip = {
    callbacks: {
      afterLabel: (item) => {
        const point = points[item.dataIndex];
        if (point.anomaly === true) return `Anomaly (score ${formatNumber(point.score)})`;
        return point.anomaly === null ? "Not scored" : "";
      },
    },
  };
  if (chart) {
    chart.data = data;
    chart.update();
  } else {
    chart = makeChart(canvas, {
      type: "line",
      data,
      options: { scales: { x: { ticks: { maxTicksLimit: 10 } } }, plugins: { legend: { display: false }, tooltip } },
    });
  }
  const more = series.truncated ? " (the newest)" : "";
  summary.textContent = `${points.length} value${points.length === 1 ? "" : "s"}${more}, ${anomalies} anomal${anomalies === 1 ? "y" : "ies"}`;
  canvas.setAttribute("aria-label", `${series.column} over time: ${points.length} values, ${anomalies} flagged as anomalies`);
  canvas.dataset.points = String(points.length);
}

async function load() {
  const params = new URLSearchParams({ column: form.column.value, limit: "2000" });
  if (form.time.value) params.set("time", form.time.value);
  try {
    const series = await api(`/api/v1/datasets/${encodeURIComponent(form.dataset.dataset)}/series?${params}`);
    errorBox.hidden = true;
    draw(series);
  } catch (error) {
    errorBox.textContent = `The chart could not be loaded: ${error.message}`;
    errorBox.hidden = false;
  }
}

form.addEventListener("change", load);
form.addEventListener("submit", (event) => event.preventDefault());
load();

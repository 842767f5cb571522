// The Overview page: charts from GET /api/v1/stats/overview, refreshed every 30 seconds
// (not while the tab is hidden; at once when it shows again).

import { api } from "./api.js";
import { COLORS, bucketLabel, formatNumber, makeChart, updateChart } from "./charts.js";

const REFRESH_MS = 30000;
const STATUS_COLORS = {
  received: COLORS.grey,
  cleaned: COLORS.accentSoft,
  extracted: COLORS.accent,
  stored: COLORS.ok,
  failed: COLORS.danger,
};

const bucketSelect = document.getElementById("overview-bucket");
const updated = document.getElementById("overview-updated");
const errorBox = document.getElementById("overview-error");
let charts = null;
let timer = null;

function bars(label, color, stack) {
  return { label, data: [], backgroundColor: color, borderColor: color, borderWidth: 1, stack };
}

function createCharts() {
  const counts = { y: { beginAtZero: true, ticks: { precision: 0 } } };
  return {
    documents: makeChart(document.getElementById("chart-documents"), {
      type: "bar",
      data: { labels: [], datasets: [bars("Received", COLORS.accentSoft), bars("Stored", COLORS.ok)] },
      options: { scales: counts },
    }),
    records: makeChart(document.getElementById("chart-records"), {
      type: "bar",
      data: { labels: [], datasets: [bars("Records stored", COLORS.accent)] },
      options: { scales: counts },
    }),
    failures: makeChart(document.getElementById("chart-failures"), {
      type: "bar",
      data: { labels: [], datasets: [bars("Dead letters", COLORS.danger)] },
      options: { scales: counts },
    }),
    pages: makeChart(document.getElementById("chart-pages"), {
      type: "line",
      data: {
        labels: [],
        datasets: [
          { label: "Pages stored", data: [], borderColor: COLORS.accent, backgroundColor: COLORS.accentSoft, fill: true, tension: 0.25 },
        ],
      },
      options: { scales: counts },
    }),
    queue: makeChart(document.getElementById("chart-queue"), {
      type: "bar",
      data: { labels: [], datasets: [bars("Documents waiting", COLORS.warn)] },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
    }),
    status: makeChart(document.getElementById("chart-status"), {
      type: "doughnut",
      data: { labels: [], datasets: [{ label: "Documents", data: [], backgroundColor: [] }] },
      options: { plugins: { legend: { position: "right" } } },
    }),
  };
}

function sum(items, field) {
  return items.reduce((total, item) => total + item[field], 0);
}

function describe(canvas, text) {
  if (canvas) canvas.setAttribute("aria-label", text);
}

function render(stats) {
  const labels = stats.buckets.map((b) => bucketLabel(b.start, stats.bucket));
  const column = (field) => stats.buckets.map((b) => b[field]);
  updateChart(charts.documents, labels, [column("documents_received"), column("documents_stored")]);
  updateChart(charts.records, labels, [column("records_stored")]);
  updateChart(charts.failures, labels, [column("failures")]);
  updateChart(charts.pages, labels, [column("pages_stored")]);
  updateChart(charts.queue, stats.queue.map((q) => q.stage), [stats.queue.map((q) => q.documents)]);
  const statuses = Object.keys(stats.documents_by_status);
  charts.status.data.datasets[0].backgroundColor = statuses.map((s) => STATUS_COLORS[s] || COLORS.muted);
  updateChart(charts.status, statuses, [statuses.map((s) => stats.documents_by_status[s])]);

  const figures = {
    documents_stored: sum(stats.buckets, "documents_stored"),
    records_stored: sum(stats.buckets, "records_stored"),
    failures: sum(stats.buckets, "failures"),
    documents_per_minute: stats.throughput.documents_per_minute,
    pages_per_second: stats.throughput.pages_per_second,
    records_per_minute: stats.throughput.records_per_minute,
    queued: sum(stats.queue, "documents"),
    open_dead_letters: stats.open_dead_letters,
  };
  for (const [name, value] of Object.entries(figures)) {
    const cell = document.querySelector(`[data-stat="${name}"]`);
    if (cell) cell.textContent = formatNumber(value);
  }
  const period = stats.bucket === "day" ? "day" : "hour";
  describe(charts.documents?.canvas, `Documents per ${period}: ${figures.documents_stored} stored in the period`);
  describe(charts.records?.canvas, `Records per ${period}: ${figures.records_stored} stored in the period`);
  describe(charts.failures?.canvas, `Dead letters per ${period}: ${figures.failures} in the period`);
  describe(charts.pages?.canvas, `Pages stored per ${period}: ${formatNumber(figures.pages_per_second)} pages per second on average`);
  describe(charts.queue?.canvas, `Queue: ${stats.queue.map((q) => `${q.documents} waiting for ${q.stage}`).join(", ")}`);
  describe(charts.status?.canvas, `Documents: ${statuses.map((s) => `${stats.documents_by_status[s]} ${s}`).join(", ")}`);
  updated.textContent = `Updated ${new Date(stats.until).toISOString().slice(11, 19)} UTC`;
}

async function refresh() {
  try {
    const stats = await api(`/api/v1/stats/overview?bucket=${encodeURIComponent(bucketSelect.value)}`);
    errorBox.hidden = true;
    render(stats);
    document.body.dataset.overviewLoaded = stats.bucket;
  } catch (error) {
    errorBox.textContent = `The statistics could not be loaded: ${error.message}`;
    errorBox.hidden = false;
  }
}

function schedule() {
  clearInterval(timer);
  timer = setInterval(() => {
    if (!document.hidden) refresh();
  }, REFRESH_MS);
}

function start() {
  charts = createCharts();
  bucketSelect.addEventListener("change", () => {
    refresh();
    schedule();
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
  refresh();
  schedule();
}

start();

// One monitored host: its checks' latest state, latency and loss charts, recent results.
// Seeded from the page, then fed by "check_results" frames after a "watch" request.
import { LiveSocket, showConnectionState } from "./live-socket.js";
import { draw, makePlot } from "./charts.js";
import * as format from "./format.js";

const config = JSON.parse(document.getElementById("host-config").textContent);
const WINDOW_S = 3600;
const MAX_ROWS = 50;
const LABELS = { up: "UP", degraded: "DEGRADED", down: "DOWN", paused: "PAUSED", pending: "PENDING" };

const checkIds = config.checks.map((check) => check.id);
const pingIds = config.checks.filter((check) => check.kind === "ping").map((check) => check.id);
const labels = Object.fromEntries(config.checks.map((check) => [check.id, check.label]));
const paused = new Set(config.checks.filter((check) => !check.enabled).map((check) => check.id));

const latencyChart = makePlot(document.getElementById("latency-chart"), {
  series: config.checks.map((check) => check.label),
  format: format.milliseconds,
  floor: 1,
  spanGaps: true,
});
const lossChart = makePlot(document.getElementById("loss-chart"), {
  series: config.checks.filter((check) => check.kind === "ping").map((check) => check.label),
  format: (v) => format.percent(v),
  range: [0, 100],
  spanGaps: true,
});

// One column per check; a row per result time, null where another check reported.
function addPoint(chart, ids, result, value) {
  const column = ids.indexOf(result.check);
  if (column < 0) return;
  chart.data[0].push(result.ts);
  ids.forEach((id, i) => chart.data[i + 1].push(i === column ? value : null));
  const oldest = result.ts - WINDOW_S;
  while (chart.data[0].length && chart.data[0][0] < oldest) chart.data.forEach((values) => values.shift());
}

function plot(result) {
  addPoint(latencyChart, checkIds, result, result.latency_ms);
  addPoint(lossChart, pingIds, result, result.loss_pct ?? (result.status === "down" ? 100 : null));
}

function setCell(row, field, text) {
  const cell = row.querySelector(`[data-field="${field}"]`);
  if (cell) cell.textContent = text;
}

function showCheck(result) {
  const row = document.querySelector(`#checks tr[data-check="${result.check}"]`);
  if (!row || paused.has(result.check)) return; // a disabled check keeps its PAUSED row
  const badge = row.querySelector('[data-field="status"]');
  if (badge.dataset.status !== result.status) setCell(row, "since", format.timestamp(result.ts));
  badge.dataset.status = result.status;
  badge.textContent = LABELS[result.status] ?? result.status;
  setCell(row, "latency", format.milliseconds(result.latency_ms));
  setCell(row, "loss", result.loss_pct == null ? "–" : `${result.loss_pct.toFixed(0)} %`);
  setCell(row, "jitter", format.milliseconds(result.jitter_ms));
  setCell(row, "error", result.error);
  const method = result.details?.method;
  row.querySelector(".method").textContent = method === config.tcpFallback
    ? "(TCP fallback: ICMP not permitted)"
    : method ? `(${method} ICMP)` : "";
}

function addRow(result) {
  const row = document.createElement("tr");
  const cells = [
    format.timestamp(result.ts),
    labels[result.check] ?? `check ${result.check}`,
    null,
    format.milliseconds(result.latency_ms),
    result.loss_pct == null ? "–" : `${result.loss_pct.toFixed(0)} %`,
    Object.entries(result.details ?? {})
      .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(",") : value}`)
      .join(" "),
    result.error,
  ];
  for (const [i, text] of cells.entries()) {
    const cell = document.createElement("td");
    if (i === 2) {
      const badge = document.createElement("span");
      badge.className = "status";
      badge.dataset.status = result.status;
      badge.textContent = LABELS[result.status] ?? result.status;
      cell.append(badge);
    } else {
      cell.textContent = text ?? "";
    }
    if (i === 5) cell.className = "muted";
    if (i === 6) cell.className = "error";
    row.append(cell);
  }
  const body = document.querySelector("#recent tbody");
  body.prepend(row);
  while (body.rows.length > MAX_ROWS) body.lastElementChild.remove();
}

for (const element of document.querySelectorAll("time[datetime]")) {
  element.textContent = format.timestamp(Date.parse(element.dateTime) / 1000);
}
config.recent.forEach(addRow);

// Seed the charts from the page: the last hour per check, merged in time order.
const seeded = Object.values(config.history).flat().sort((a, b) => a.ts - b.ts);
seeded.forEach(plot);
const lastPerCheck = new Map(seeded.map((result) => [result.check, result]));
lastPerCheck.forEach(showCheck);
draw(latencyChart);
draw(lossChart);
// Per check: a slow check's result can arrive after a quicker one that started later.
const lastTs = new Map([...lastPerCheck].map(([id, result]) => [id, result.ts]));

const status = document.getElementById("host-status");
const connection = document.getElementById("connection");
const socket = new LiveSocket("/ws/stats/", {
  onState(state, delay) {
    showConnectionState(connection, state, delay);
    if (state === "live") socket.send({ type: "watch", host: config.host });
  },
  onFrame(frame) {
    if (frame.type === "error") console.warn("server:", frame.message);
    if (frame.type !== "check_results" || frame.host !== config.host) return;
    if (frame.status) {
      status.dataset.status = frame.status;
      status.textContent = LABELS[frame.status] ?? frame.status;
    }
    for (const result of frame.results) {
      if (result.ts <= (lastTs.get(result.check) ?? 0)) continue; // the page already shows it
      lastTs.set(result.check, result.ts);
      plot(result);
      showCheck(result);
      addRow(result);
    }
    draw(latencyChart);
    draw(lossChart);
  },
});

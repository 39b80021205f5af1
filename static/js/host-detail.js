// One monitored host: its checks' latest state, latency and loss charts, recent results.
// Seeded from the page, then fed by "check_results" frames after a "watch" request.
import { LiveSocket, showConnectionState } from "./live-socket.js";
import { draw, makePlot } from "./charts.js";
import * as format from "./format.js";
import { RangePicker, fetchSeries } from "./range.js";
import { gettext, interpolate } from "./i18n.js";
import { devicePorts } from "./device-ports.js";
import { deviceEvents } from "./device-events.js";
import { flowTalkers } from "./flow-talkers.js";

const config = JSON.parse(document.getElementById("host-config").textContent);
const WINDOW_S = 3600;
const MAX_ROWS = 50;

const checkIds = config.checks.map((check) => check.id);
const pingIds = config.checks.filter((check) => check.charts_loss).map((check) => check.id);
const labels = Object.fromEntries(config.checks.map((check) => [check.id, check.label]));
const paused = new Set(config.checks.filter((check) => !check.enabled).map((check) => check.id));

const picker = new RangePicker(document.getElementById("range"), showRange);
const onZoom = (from, to) => picker.zoom(from, to);
const seriesUrl = `/api/hosts/${config.host}/series`;
// A network device (a host with an SNMP check): its ports, live.
const ports = config.ports ? devicePorts(config, seriesUrl, onZoom) : null;
// Its SNMP traps and syslog messages, live.
const eventsTable = document.getElementById("device-events");
const events = eventsTable ? deviceEvents(eventsTable, config.events ?? []) : null;
// A device that exports flows: its top talkers of the last minute, live.
const talkers = flowTalkers(document.getElementById("talkers"));
const latencyChart = makePlot(document.getElementById("latency-chart"), {
  series: config.checks.map((check) => check.label),
  format: format.milliseconds,
  floor: 1,
  spanGaps: true,
  onZoom,
});
const lossChart = makePlot(document.getElementById("loss-chart"), {
  series: config.checks.filter((check) => check.charts_loss).map((check) => check.label),
  format: (v) => format.percent(v),
  range: [0, 100],
  spanGaps: true,
  onZoom,
});
// Live points are kept here while a stored range is shown instead.
const live = new Map([
  [latencyChart, latencyChart.data],
  [lossChart, lossChart.data],
]);
let historyRequest = 0;

// One column per check; a row per result time, null where another check reported.
function addPoint(data, ids, result, value) {
  const column = ids.indexOf(result.check);
  if (column < 0) return;
  data[0].push(result.ts);
  ids.forEach((id, i) => data[i + 1].push(i === column ? value : null));
  const oldest = result.ts - WINDOW_S;
  while (data[0].length && data[0][0] < oldest) data.forEach((values) => values.shift());
}

function plot(result) {
  addPoint(live.get(latencyChart), checkIds, result, result.latency_ms);
  addPoint(live.get(lossChart), pingIds, result, result.loss_pct ?? (result.status === "down" ? 100 : null));
}

function drawCharts() {
  draw(latencyChart);
  draw(lossChart);
}

// Columns of one metric per check, from a series response (each bucket's average, min or max).
function columns(body, metric, ids, column = "avg") {
  const bySource = new Map(body.series.filter((s) => s.metric === metric).map((s) => [s.source, s[column]]));
  return [body.t, ...ids.map((id) => bySource.get(`check:${id}`) ?? body.t.map(() => null))];
}

async function showRange(range) {
  const request = ++historyRequest; // a slower earlier answer must not win
  const portsShown = ports?.show(range);
  if (range.live) {
    for (const [chart, data] of live) {
      chart.data = data;
      chart.bands = null;
    }
  } else {
    const [from, to] = range.window();
    const width = latencyChart.element.clientWidth || 600;
    const body = await fetchSeries(seriesUrl, ["check.latency_ms", "check.loss_pct"], from, to, width);
    if (request !== historyRequest) return;
    for (const [chart, metric, ids] of [[latencyChart, "check.latency_ms", checkIds], [lossChart, "check.loss_pct", pingIds]]) {
      chart.data = columns(body, metric, ids);
      chart.bands = [columns(body, metric, ids, "min").slice(1), columns(body, metric, ids, "max").slice(1)];
    }
  }
  drawCharts();
  await portsShown;
}

// After a reconnect: the results missed while offline, from the raw tier.
async function fillGap() {
  const to = Date.now() / 1000;
  const from = Math.max(to - WINDOW_S, Math.min(...checkIds.map((id) => lastTs.get(id) ?? 0)));
  const body = await fetchSeries(seriesUrl, ["check.latency_ms", "check.loss_pct"], from, to, to - from + 2);
  const [times, ...latencies] = columns(body, "check.latency_ms", checkIds);
  const losses = new Map(columns(body, "check.loss_pct", pingIds).slice(1).map((values, i) => [pingIds[i], values]));
  const missed = [];
  checkIds.forEach((id, column) => {
    times.forEach((ts, i) => {
      const latency = latencies[column][i];
      if (latency !== null && ts > (lastTs.get(id) ?? 0)) {
        missed.push({ check: id, ts, latency_ms: latency, loss_pct: losses.get(id)?.[i] ?? null });
      }
    });
  });
  for (const result of missed.sort((a, b) => a.ts - b.ts)) {
    plot(result);
    lastTs.set(result.check, result.ts);
  }
  if (picker.live) drawCharts();
}

function setCell(row, field, text) {
  const cell = row.querySelector(`[data-field="${field}"]`);
  if (cell) cell.textContent = text;
}

function showCheck(result) {
  showHops(result);
  const row = document.querySelector(`#checks tr[data-check="${result.check}"]`);
  if (!row || paused.has(result.check)) return; // a disabled check keeps its PAUSED row
  const badge = row.querySelector('[data-field="status"]');
  if (badge.dataset.status !== result.status) setCell(row, "since", format.timestamp(result.ts));
  badge.dataset.status = result.status;
  badge.textContent = format.stateLabel(result.status);
  setCell(row, "latency", format.milliseconds(result.latency_ms));
  setCell(row, "loss", result.loss_pct == null ? "–" : `${result.loss_pct.toFixed(0)} %`);
  setCell(row, "jitter", format.milliseconds(result.jitter_ms));
  setCell(row, "error", result.error);
  const method = result.details?.method;
  row.querySelector(".method").textContent = method === config.tcpFallback
    ? gettext("(TCP fallback: ICMP not permitted)")
    : method ? interpolate(gettext("(%(method)s ICMP)"), { method }) : "";
}

// A path check's latest hops (MTR): one row per hop.
function showHops(result) {
  const body = document.querySelector(`[data-path-check="${result.check}"] tbody`);
  const hops = result.details?.hops;
  if (!body || !hops) return;
  body.replaceChildren(...hops.map((hop) => {
    const row = document.createElement("tr");
    const cells = [hop.hop, hop.address, `${hop.loss_pct.toFixed(0)} %`, format.milliseconds(hop.avg_ms),
      format.milliseconds(hop.best_ms), format.milliseconds(hop.worst_ms)];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = String(text);
      if (text !== hop.address) cell.className = "num";
      row.append(cell);
    }
    if (hop.loss_pct > 0) row.dataset.loss = "";
    return row;
  }));
}

function addRow(result) {
  const row = document.createElement("tr");
  const cells = [
    format.timestamp(result.ts),
    labels[result.check] ?? interpolate(gettext("check %(id)s"), { id: result.check }),
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
      badge.textContent = format.stateLabel(result.status);
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
drawCharts();
// Per check: a slow check's result can arrive after a quicker one that started later.
const lastTs = new Map([...lastPerCheck].map(([id, result]) => [id, result.ts]));

const status = document.getElementById("host-status");
const connection = document.getElementById("connection");
let connectedBefore = false;
const socket = new LiveSocket("/ws/stats/", {
  onState(state, delay) {
    showConnectionState(connection, state, delay);
    delete connection.dataset.watching; // set again once the server has joined this host's frames
    if (state !== "live") return;
    socket.send({ type: "watch", host: config.host });
    if (connectedBefore) fillGap().catch((error) => console.warn("gap fill failed", error));
    connectedBefore = true;
  },
  onFrame(frame) {
    if (frame.type === "error") console.warn("server:", frame.message);
    // From here on this host's frames (ports, events, talkers) reach the page: tests wait for it.
    if (frame.type === "watching" && frame.host === config.host) connection.dataset.watching = String(frame.host);
    if (frame.type === "ports" && frame.host === config.host) ports?.onPorts(frame.ports);
    if (frame.type === "events" && frame.host === config.host) events?.onEvents(frame.events);
    if (frame.type === "flow_talkers" && frame.host === config.host) talkers.onTalkers(frame);
    if (frame.type !== "check_results" || frame.host !== config.host) return;
    if (frame.status) {
      status.dataset.status = frame.status;
      status.textContent = format.stateLabel(frame.status);
    }
    for (const result of frame.results) {
      if (result.ts <= (lastTs.get(result.check) ?? 0)) continue; // the page already shows it
      lastTs.set(result.check, result.ts);
      plot(result);
      showCheck(result);
      addRow(result);
    }
    if (picker.live) drawCharts();
  },
});

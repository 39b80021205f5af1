// The live dashboard: one card per agent host, fed by /ws/stats/.
import { LiveSocket, showConnectionState } from "./live-socket.js";
import { HostGrid } from "./host-grid.js";
import { ChatPanel } from "./chat.js";
import * as format from "./format.js";
import { gettext, interpolate } from "./i18n.js";
import { draw, makePlot } from "./charts.js";
import { RangePicker, fetchSeries, framesFromSeries } from "./range.js";

const config = JSON.parse(document.getElementById("dashboard-config").textContent);
// The metric catalogue: where each stored metric sits in a live frame (core/metrics.py).
const METRICS = JSON.parse(document.getElementById("metric-catalogue").textContent);
const WINDOW = 300; // points kept per chart: five minutes at 1 Hz
// The server calls an agent offline after this long (AGENT_OFFLINE_AFTER); the page marks
// a card stale by the same measure, even while its socket is down.
const STALE_AFTER_S = config.offlineAfter;

// What each chart plots: one catalogue metric per series, read from a frame at its
// path; interface metrics at the card's chosen interface. `scale` converts units.
const CHARTS = {
  cpu: {
    series: [gettext("total"), gettext("user"), gettext("system"), gettext("iowait")],
    metrics: ["cpu.percent", "cpu.user", "cpu.system", "cpu.iowait"],
    range: [0, 100],
    format: format.percent,
  },
  mem: {
    series: [gettext("memory"), gettext("swap")],
    metrics: ["mem.percent", "mem.swap_percent"],
    // No swap configured: no line, rather than a flat zero.
    shown: (f) => [true, f.mem?.swap_total !== 0],
    range: [0, 100],
    format: format.percent,
  },
  load: {
    series: [gettext("1 min"), gettext("5 min"), gettext("15 min")],
    metrics: ["load.1m", "load.5m", "load.15m"],
    floor: 1,
    format: (v) => format.number(v),
  },
  net: {
    series: [gettext("received"), gettext("sent")],
    metrics: ["net.rx_bps", "net.tx_bps"],
    scale: 8, // bytes/s to bits/s
    floor: 10_000,
    format: format.bitsPerSecond,
  },
  errors: {
    series: [gettext("rx errors"), gettext("tx errors"), gettext("rx drops"), gettext("tx drops")],
    metrics: ["net.rx_errors_ps", "net.tx_errors_ps", "net.rx_drops_ps", "net.tx_drops_ps"],
    floor: 1,
    format: (v) => format.number(v, 1),
  },
};
for (const spec of Object.values(CHARTS)) spec.values = (frame, card) => chartValues(spec, frame, card);
// Charts that follow the chosen interface and are redrawn when it changes.
const INTERFACE_CHARTS = ["net", "errors"];
// What the charts plot, as stored metrics, asked of the series API in one request.
const HISTORY_METRICS = Object.values(CHARTS).flatMap((spec) => spec.metrics);

// The value of a catalogue metric in a frame; `label` stands for the `*` in its path.
function metricValue(frame, name, label) {
  let node = frame;
  for (const key of METRICS[name].path) {
    node = node?.[key === "*" ? label : key];
  }
  return typeof node === "number" ? node : null;
}

function chartValues(spec, frame, card) {
  const shown = spec.shown ? spec.shown(frame) : null;
  return spec.metrics.map((name, i) => {
    const value = metricValue(frame, name, card.iface);
    if (value === null || (shown && !shown[i])) return null;
    return value * (spec.scale ?? 1);
  });
}

class AgentCard {
  constructor(host) {
    this.host = host;
    this.frames = []; // the last WINDOW frames, to redraw a chart for another interface
    this.history = null; // frames of the picked range, while one is shown instead of live
    this.historyRequest = 0;
    this.iface = null;
    this.ifaceChosenByUser = false;
    this.lastTs = 0;
    this.offlineSince = null; // unix s of its last frame while the ingest calls it offline
    this.root = document.getElementById("agent-card").content.firstElementChild.cloneNode(true);
    this.root.dataset.host = host;
    this.root.querySelector(".host").textContent = host;
    this.select = this.root.querySelector(".iface");
    this.select.addEventListener("change", () => {
      this.iface = this.select.value;
      this.ifaceChosenByUser = true;
      this.redraw(INTERFACE_CHARTS);
    });
    document.getElementById("agents").append(this.root);
    this.charts = {};
    for (const [name, spec] of Object.entries(CHARTS)) {
      const onZoom = (from, to) => picker.zoom(from, to);
      this.charts[name] = makePlot(this.root.querySelector(`[data-chart="${name}"]`), { ...spec, onZoom });
    }
  }

  update(frame) {
    if (frame.ts <= this.lastTs) return; // already seen (snapshot overlapping the live feed)
    this.lastTs = frame.ts;
    this.offlineSince = null;
    this.frames.push(frame);
    if (this.frames.length > WINDOW) this.frames.shift();
    this.updateInterfaces(frame);
    if (!this.history) {
      for (const chart of Object.values(this.charts)) {
        appendPoint(chart, frame, this);
        draw(chart);
      }
    }
    this.showCurrent(frame);
    this.showFreshness(Date.now() / 1000);
  }

  updateInterfaces(frame) {
    const names = Object.keys(frame.net || {}).sort();
    if (names.join() !== [...this.select.options].map((o) => o.value).join()) {
      this.select.replaceChildren(...names.map((name) => new Option(name, name)));
    }
    if (!this.ifaceChosenByUser || !names.includes(this.iface)) {
      const busiest = busiestInterface(frame.net || {});
      if (busiest && busiest !== this.iface) {
        this.iface = busiest;
        this.redraw(INTERFACE_CHARTS);
      }
    }
    this.select.value = this.iface ?? "";
  }

  redraw(names = Object.keys(this.charts)) {
    for (const name of names) {
      const chart = this.charts[name];
      chart.data.forEach((column) => (column.length = 0));
      for (const frame of this.history ?? this.frames) appendPoint(chart, frame, this, Infinity);
      draw(chart);
    }
    this.root.dataset.shown = this.history ? "history" : "live";
  }

  async showRange(range) {
    const request = ++this.historyRequest; // a slower earlier answer must not win
    if (range.live) {
      this.history = null;
      this.redraw();
      return;
    }
    const [from, to] = range.window();
    const body = await fetchSeries(this.historyUrl(), HISTORY_METRICS, from, to, this.chartWidth());
    if (request !== this.historyRequest) return;
    this.history = framesFromSeries(body, METRICS);
    this.redraw();
  }

  // After a reconnect: the seconds missed while offline, from the raw tier.
  async fillGap() {
    const to = Date.now() / 1000;
    const from = Math.max(this.lastTs, to - WINDOW);
    if (to - from < 2 * config.sampleInterval) return;
    const body = await fetchSeries(this.historyUrl(), HISTORY_METRICS, from, to, to - from + 2);
    const seconds = new Set(this.frames.map((frame) => Math.floor(frame.ts)));
    const missed = framesFromSeries(body, METRICS).filter((frame) => frame.cpu || frame.mem);
    this.frames = [...this.frames, ...missed.filter((frame) => !seconds.has(frame.ts))]
      .sort((a, b) => a.ts - b.ts)
      .slice(-WINDOW);
    if (!this.history) this.redraw();
  }

  historyUrl() {
    return `/api/agents/${encodeURIComponent(this.host)}/series`;
  }

  chartWidth() {
    return this.charts.cpu.element.clientWidth || 600; // about one point per pixel
  }

  showCurrent(frame) {
    const set = (key, text) => (this.root.querySelector(`[data-now="${key}"]`).textContent = text);
    set("cpu", format.percent(frame.cpu?.percent));
    set("mem", frame.mem
      ? interpolate(gettext("%(percent)s of %(total)s"), { percent: format.percent(frame.mem.percent), total: format.bytes(frame.mem.total) })
      : "–");
    set("swap", frame.mem?.swap_total ? format.percent(frame.mem.swap_percent) : gettext("none"));
    set("load", frame.load
      ? interpolate(gettext("%(load)s (%(per_core)s/core)"), { load: format.number(frame.load["1m"]), per_core: format.number(frame.load.per_core) })
      : "–");
    set("tcp", frame.tcp?.established ?? "–");
    set("disk", format.percent(frame.disk?.mounts?.["/"]?.percent));
    this.root.querySelector(".uptime").textContent = frame.uptime != null
      ? interpolate(gettext("up %(time)s"), { time: format.duration(frame.uptime) })
      : "";
    this.root.querySelector(".link-state").textContent = linkState(frame.net?.[this.iface]);
    if (frame.missing) {
      this.root.title = interpolate(gettext("not collected this tick: %(metrics)s"), { metrics: frame.missing.join(", ") });
    }
  }

  // The ingest's word on this agent: offline since its last frame, or back.
  setPresence(online, since) {
    this.offlineSince = online ? null : since;
    this.showFreshness(Date.now() / 1000);
  }

  showFreshness(now) {
    const age = now - this.lastTs;
    const offline = this.offlineSince != null;
    const stale = offline || age > STALE_AFTER_S;
    const badge = this.root.querySelector(".freshness");
    this.root.classList.toggle("stale", stale);
    this.root.classList.toggle("offline", offline);
    if (offline) {
      badge.textContent = interpolate(gettext("OFFLINE · no report for %(time)s"), { time: format.duration(now - this.offlineSince) });
    } else {
      badge.textContent = stale ? interpolate(gettext("no report for %(time)s"), { time: format.duration(age) }) : gettext("live");
    }
  }
}

function linkState(nic) {
  if (!nic) return "";
  const parts = [nic.up ? gettext("link up") : gettext("LINK DOWN")];
  if (nic.speed_mbps) parts.push(interpolate(gettext("%(speed)s Mbit/s"), { speed: nic.speed_mbps }));
  parts.push(interpolate(gettext("MTU %(mtu)s"), { mtu: nic.mtu ?? "–" }));
  return parts.join(" · ");
}

function appendPoint(chart, frame, card, limit = WINDOW) {
  chart.data[0].push(frame.ts);
  chart.spec.values(frame, card).forEach((value, i) => chart.data[i + 1].push(value ?? null));
  if (chart.data[0].length > limit) chart.data.forEach((column) => column.shift());
}

function busiestInterface(net) {
  const candidates = Object.entries(net).filter(([name]) => name !== "lo");
  if (!candidates.length) return Object.keys(net)[0] ?? null;
  const traffic = ([, nic]) => (nic.rx_bps ?? 0) + (nic.tx_bps ?? 0) + (nic.up ? 1 : 0);
  return candidates.reduce((best, item) => (traffic(item) > traffic(best) ? item : best))[0];
}

const cards = new Map();
const picker = new RangePicker(document.getElementById("range"), showRange);
const connection = document.getElementById("connection");
const grid = new HostGrid(document.getElementById("hosts"), JSON.parse(document.getElementById("host-list").textContent));
let connectedBefore = false;

async function refreshHosts() {
  // States may have changed while the socket was down: fetch them all once.
  const response = await fetch("/hosts/grid.json", { headers: { Accept: "application/json" } });
  if (response.ok) grid.replaceAll((await response.json()).hosts);
}

function onState(state, delay) {
  showConnectionState(connection, state, delay);
  if (state === "live") {
    if (connectedBefore) {
      refreshHosts().catch((error) => console.warn("host refresh failed", error));
      for (const card of cards.values()) card.fillGap().catch((error) => console.warn("gap fill failed", error));
    }
    connectedBefore = true;
  }
}

function showRange(range) {
  return Promise.all([...cards.values()].map((card) => card.showRange(range)));
}

function onFrame(frame) {
  if (frame.type === "error") {
    console.warn("server:", frame.message);
    return;
  }
  if (frame.type === "hosts") {
    grid.update(frame.hosts);
    return;
  }
  if (frame.type === "agent_state") {
    cards.get(frame.host)?.setPresence(frame.online, frame.since);
    return;
  }
  if (frame.type !== "stats" || typeof frame.host !== "string") return;
  let card = cards.get(frame.host);
  if (!card) {
    card = new AgentCard(frame.host);
    cards.set(frame.host, card);
    if (!picker.live) card.showRange(picker).catch((error) => console.warn(error));
    document.getElementById("no-agents").hidden = true;
    document.getElementById("agent-count").textContent = `(${cards.size})`;
  }
  card.update(frame);
}

new LiveSocket("/ws/stats/", { onFrame, onState });
new ChatPanel(document.getElementById("dashboard-chat-panel"), config.chatRoom);
setInterval(() => {
  const now = Date.now() / 1000;
  for (const card of cards.values()) card.showFreshness(now);
}, 1000);

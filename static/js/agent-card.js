// An agent's full card: five live charts and its current values. Made when its tile
// (agent-tiles.js) is opened, with the last five minutes from the raw history tier, then
// fed the tile's frames; destroyed when the tile closes. 200 agents cost 200 tiles, not
// 1,000 charts and 60,000 kept frames.
import * as format from "./format.js";
import { draw, makePlot } from "./charts.js";
import { fetchSeries, framesFromSeries } from "./range.js";
import { gettext, interpolate } from "./i18n.js";

// The metric catalogue: where each stored metric sits in a live frame (core/contracts/metrics.py).
const METRICS = JSON.parse(document.getElementById("metric-catalogue").textContent);
const WINDOW = 300; // points kept per open card: five minutes at 1 Hz

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

function chartValues(spec, frame, iface) {
  const shown = spec.shown ? spec.shown(frame) : null;
  return spec.metrics.map((name, i) => {
    const value = metricValue(frame, name, iface);
    if (value === null || (shown && !shown[i])) return null;
    return value * (spec.scale ?? 1);
  });
}

// The interface with the most traffic (loopback only when there is no other).
export function busiestInterface(net) {
  const candidates = Object.entries(net).filter(([name]) => name !== "lo");
  if (!candidates.length) return Object.keys(net)[0] ?? null;
  const traffic = ([, nic]) => (nic.rx_bps ?? 0) + (nic.tx_bps ?? 0) + (nic.up ? 1 : 0);
  return candidates.reduce((best, item) => (traffic(item) > traffic(best) ? item : best))[0];
}

function linkState(nic) {
  if (!nic) return "";
  const parts = [nic.up ? gettext("link up") : gettext("LINK DOWN")];
  if (nic.speed_mbps) parts.push(interpolate(gettext("%(speed)s Mbit/s"), { speed: nic.speed_mbps }));
  parts.push(interpolate(gettext("MTU %(mtu)s"), { mtu: nic.mtu ?? "–" }));
  return parts.join(" · ");
}

export class AgentCard {
  // tile: the AgentTile whose frames this card draws; picker: the page's RangePicker.
  constructor(tile, container, picker, sampleInterval) {
    this.tile = tile;
    this.picker = picker;
    this.frames = tile.latest ? [tile.latest] : []; // the last WINDOW frames, live
    this.history = null; // frames of the picked range, while one is shown instead of live
    this.historyRange = null; // {min, max}: frames of each bucket's min and max, beside `history`
    this.historyRequest = 0;
    this.iface = null;
    this.ifaceChosenByUser = false;
    this.root = document.getElementById("agent-card").content.firstElementChild.cloneNode(true);
    this.root.dataset.host = tile.host;
    this.select = this.root.querySelector(".iface");
    this.select.addEventListener("change", () => {
      this.iface = this.select.value;
      this.ifaceChosenByUser = true;
      this.redraw(INTERFACE_CHARTS);
    });
    container.append(this.root);
    this.charts = {};
    for (const [name, spec] of Object.entries(CHARTS)) {
      const onZoom = (from, to) => picker.zoom(from, to);
      this.charts[name] = makePlot(this.root.querySelector(`[data-chart="${name}"]`), { ...spec, onZoom });
    }
    const last = tile.latest;
    if (last) this.updateInterfaces(last);
    this.redraw();
    if (last) this.showCurrent(last);
    if (!picker.live) this.showRange(picker).catch((error) => console.warn(error));
    this.fillGap(sampleInterval).catch((error) => console.warn("history fill failed", error));
  }

  destroy() {
    this.historyRequest += 1; // an answer still on its way is dropped
    for (const chart of Object.values(this.charts)) chart.destroy();
    this.root.remove();
  }

  // A new frame of the tile's.
  update(frame) {
    this.frames.push(frame);
    if (this.frames.length > WINDOW) this.frames.shift();
    this.updateInterfaces(frame);
    if (!this.history) {
      for (const chart of Object.values(this.charts)) {
        appendPoint(chart, frame, this.iface);
        draw(chart);
      }
    }
    this.showCurrent(frame);
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
      for (const frame of this.history ?? this.frames) appendPoint(chart, frame, this.iface, Infinity);
      chart.bands = this.history ? bandColumns(chart.spec, this.historyRange, this.iface) : null;
      draw(chart);
    }
    this.root.dataset.shown = this.history ? "history" : "live";
  }

  async showRange(range) {
    const request = ++this.historyRequest; // a slower earlier answer must not win
    if (range.live) {
      this.history = this.historyRange = null;
      this.redraw();
      return;
    }
    const [from, to] = range.window();
    const body = await fetchSeries(this.tile.historyUrl(), HISTORY_METRICS, from, to, this.chartWidth());
    if (request !== this.historyRequest) return;
    this.history = framesFromSeries(body, METRICS);
    this.historyRange = { min: framesFromSeries(body, METRICS, "min"), max: framesFromSeries(body, METRICS, "max") };
    this.redraw();
  }

  // The seconds of the last WINDOW not shown yet, from the raw tier: on opening, and after
  // a reconnect.
  async fillGap(sampleInterval) {
    const to = Date.now() / 1000;
    const from = Math.max(this.frames.length > 1 ? this.frames.at(-1).ts : 0, to - WINDOW);
    if (to - from < 2 * sampleInterval) return;
    const request = this.historyRequest;
    const body = await fetchSeries(this.tile.historyUrl(), HISTORY_METRICS, from, to, to - from + 2);
    if (request !== this.historyRequest) return; // closed since
    const seconds = new Set(this.frames.map((frame) => Math.floor(frame.ts)));
    const missed = framesFromSeries(body, METRICS).filter((frame) => frame.cpu || frame.mem);
    this.frames = [...this.frames, ...missed.filter((frame) => !seconds.has(frame.ts))]
      .sort((a, b) => a.ts - b.ts)
      .slice(-WINDOW);
    if (!this.history) this.redraw();
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
}

// [lows, highs]: a column per series of the chart, from the range's min and max frames.
function bandColumns(spec, range, iface) {
  const columns = (frames) => {
    const found = spec.metrics.map(() => []);
    for (const frame of frames) chartValues(spec, frame, iface).forEach((value, i) => found[i].push(value));
    return found;
  };
  return [columns(range.min), columns(range.max)];
}

function appendPoint(chart, frame, iface, limit = WINDOW) {
  chart.data[0].push(frame.ts);
  chartValues(chart.spec, frame, iface).forEach((value, i) => chart.data[i + 1].push(value ?? null));
  if (chart.data[0].length > limit) chart.data.forEach((column) => column.shift());
}

// Every agent at a glance: a compact tile each (state, CPU, memory, busiest interface, two
// sparklines), worst first, filtered with the host grid, opening to the full card.
//
// Frames arrive one per agent per second; tiles are redrawn once per animation frame, and
// text is written only when it changed (an off-screen tile costs no layout: content-visibility).
import * as format from "./format.js";
import { AgentCard, busiestInterface } from "./agent-card.js";
import { gettext, interpolate } from "./i18n.js";

const SPARK_POINTS = 60; // the last minute
const OPEN_KEY = "netmon-open-agents"; // tiles opened in this browser, by agent name
// An agent's state as the host grid's state filter reads it.
const AS_HOST_STATE = { offline: "down", stale: "degraded", live: "up" };
const RANK = { offline: 0, stale: 1, live: 2 };

function remembered() {
  try {
    return new Set(JSON.parse(localStorage.getItem(OPEN_KEY) || "[]"));
  } catch {
    return new Set();
  }
}

// A path through the last values, scaled to [0, max] (at least `floor`), in the SVG's
// 0-59 x 0-20 box; a gap (no value) lifts the pen. SVG rather than canvas: 400 canvases
// redrawn each second made Chromium re-layerize the page every frame.
function sparkPath(values, floor) {
  const max = Math.max(floor, ...values.filter((v) => v !== null));
  const offset = SPARK_POINTS - values.length; // a short history ends at the right edge
  let path = "";
  let pen = "M";
  values.forEach((value, i) => {
    if (value === null) {
      pen = "M";
      return;
    }
    path += `${pen}${i + offset} ${(20 - (value / max) * 20).toFixed(1)}`;
    pen = "L";
  });
  return path;
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

class AgentTile {
  constructor(overview, host) {
    this.overview = overview;
    this.host = host;
    this.latest = null; // the newest frame
    this.recent = []; // [ts, cpu %, busiest interface bit/s] of the last SPARK_POINTS frames
    this.lastTs = 0;
    this.offlineSince = null; // unix s of its last frame while the ingest calls it offline
    this.state = "live";
    this.card = null;
    this.dirty = false;
    this.root = document.getElementById("agent-tile").content.firstElementChild.cloneNode(true);
    this.root.dataset.host = host;
    this.button = this.root.querySelector(".agent-open");
    this.button.querySelector(".agent-name").textContent = host;
    this.button.addEventListener("click", () => this.toggle());
    this.fields = Object.fromEntries([...this.root.querySelectorAll("[data-now]")].map((el) => [el.dataset.now, el]));
    this.sparks = Object.fromEntries([...this.root.querySelectorAll("[data-spark] path")].map((p) => [p.parentNode.dataset.spark, p]));
    this.freshness = this.root.querySelector(".freshness");
  }

  update(frame) {
    if (frame.ts <= this.lastTs) return false; // already seen (snapshot overlapping the live feed)
    this.lastTs = frame.ts;
    this.offlineSince = null;
    this.latest = frame;
    const nic = frame.net?.[busiestInterface(frame.net || {})];
    this.recent.push([frame.ts, frame.cpu?.percent ?? null, nic ? ((nic.rx_bps ?? 0) + (nic.tx_bps ?? 0)) * 8 : null]);
    if (this.recent.length > SPARK_POINTS) this.recent.shift();
    this.card?.update(frame);
    this.dirty = true;
    return true;
  }

  // The ingest's word on this agent: offline since its last frame, or back.
  setPresence(online, since) {
    this.offlineSince = online ? null : since;
    this.dirty = true;
  }

  // live, stale (no frame for longer than the server allows) or offline (the ingest says so).
  stateAt(now) {
    if (this.offlineSince != null) return "offline";
    return now - this.lastTs > this.overview.staleAfter ? "stale" : "live";
  }

  // Numbers and words always (written only when they change); sparklines while on screen.
  render(now) {
    const frame = this.latest;
    const state = this.stateAt(now);
    if (state !== this.root.dataset.state) this.root.dataset.state = state;
    this.state = state;
    setText(this.freshness,
      state === "offline" ? interpolate(gettext("OFFLINE · no report for %(time)s"), { time: format.duration(now - this.offlineSince) }) :
      state === "stale" ? interpolate(gettext("no report for %(time)s"), { time: format.duration(now - this.lastTs) }) :
      gettext("live"));
    if (frame) {
      setText(this.fields.cpu, format.percent(frame.cpu?.percent));
      setText(this.fields.mem, format.percent(frame.mem?.percent));
      const iface = busiestInterface(frame.net || {});
      const nic = frame.net?.[iface];
      setText(this.fields.net, nic
        ? interpolate(gettext("%(iface)s ↓%(rx)s ↑%(tx)s"), {
          iface, rx: format.bitsPerSecond((nic.rx_bps ?? 0) * 8), tx: format.bitsPerSecond((nic.tx_bps ?? 0) * 8),
        })
        : "–");
      const hot = (frame.cpu?.percent ?? 0) >= 90 || (frame.mem?.percent ?? 0) >= 90;
      if (hot !== this.root.classList.contains("hot")) this.root.classList.toggle("hot", hot);
      this.drawSparks();
    }
    this.dirty = false;
  }

  drawSparks() {
    this.sparks.cpu.setAttribute("d", sparkPath(this.recent.map((sample) => sample[1]), 100));
    this.sparks.net.setAttribute("d", sparkPath(this.recent.map((sample) => sample[2]), 10_000));
  }

  toggle(open = !this.card) {
    if (open && !this.card) {
      this.card = new AgentCard(this, this.root, this.overview.picker, this.overview.sampleInterval);
    } else if (!open && this.card) {
      this.card.destroy();
      this.card = null;
    }
    this.root.classList.toggle("open", open);
    this.button.setAttribute("aria-expanded", String(open));
    this.overview.rememberOpen(this.host, open);
  }

  historyUrl() {
    return `/api/agents/${encodeURIComponent(this.host)}/series`;
  }
}

export class AgentOverview {
  // root: the agents section; picker: the page's RangePicker; grid: the HostGrid whose
  // filters apply here too (an agent has the tags of the monitored host of its name).
  constructor(root, { picker, grid, staleAfter, sampleInterval }) {
    this.box = root.querySelector(".agent-tiles");
    this.count = root.querySelector(".agent-count");
    this.waiting = root.querySelector(".no-agents");
    this.picker = picker;
    this.grid = grid;
    this.staleAfter = staleAfter;
    this.sampleInterval = sampleInterval;
    this.tiles = new Map();
    this.open = remembered();
    this.scheduled = false;
    this.needsSort = false;
    grid.onFilter = () => this.applyFilter();
  }

  tile(host) {
    let tile = this.tiles.get(host);
    if (!tile) {
      tile = new AgentTile(this, host);
      this.tiles.set(host, tile);
      this.box.append(tile.root);
      this.waiting.hidden = true;
      this.count.textContent = `(${this.tiles.size})`;
      if (this.open.has(host)) tile.toggle(true);
      tile.root.hidden = !this.grid.matchesAgent(host, AS_HOST_STATE[tile.state]);
      this.needsSort = true; // once for all the tiles a snapshot brings, in the next animation frame
      this.schedule();
    }
    return tile;
  }

  update(frame) {
    if (this.tile(frame.host).update(frame)) this.schedule();
  }

  setPresence(host, online, since) {
    const tile = this.tiles.get(host);
    if (!tile) return;
    tile.setPresence(online, since);
    this.schedule();
  }

  // Once a second: states move from live to stale without a frame.
  tick() {
    this.tiles.forEach((tile) => (tile.dirty = true));
    this.schedule();
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.render());
  }

  render() {
    this.scheduled = false;
    const now = Date.now() / 1000;
    let moved = this.needsSort;
    this.needsSort = false;
    for (const tile of this.tiles.values()) {
      if (!tile.dirty) continue;
      const before = tile.state;
      tile.render(now);
      moved ||= before !== tile.state;
    }
    if (moved) {
      this.sort();
      this.applyFilter();
    }
  }

  // Worst first (offline, stale, live), then by name; only when a state changes, so tiles
  // do not move under the pointer every second.
  sort() {
    const ordered = [...this.tiles.values()].sort((a, b) =>
      RANK[a.state] - RANK[b.state] || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    if (ordered.every((tile, i) => this.box.children[i] === tile.root)) return;
    const fragment = document.createDocumentFragment();
    ordered.forEach((tile) => fragment.append(tile.root));
    this.box.append(fragment);
  }

  applyFilter() {
    let shown = 0;
    for (const tile of this.tiles.values()) {
      tile.root.hidden = !this.grid.matchesAgent(tile.host, AS_HOST_STATE[tile.state]);
      if (!tile.root.hidden) shown += 1;
    }
    this.box.dataset.shown = shown;
  }

  rememberOpen(host, open) {
    if (open) this.open.add(host);
    else this.open.delete(host);
    localStorage.setItem(OPEN_KEY, JSON.stringify([...this.open]));
  }

  showRange(range) {
    return Promise.all([...this.tiles.values()].filter((tile) => tile.card).map((tile) => tile.card.showRange(range)));
  }

  // After a reconnect: open cards fill the seconds they missed (tiles only show the last minute).
  fillGaps() {
    for (const tile of this.tiles.values()) {
      tile.card?.fillGap(this.sampleInterval).catch((error) => console.warn("gap fill failed", error));
    }
  }
}

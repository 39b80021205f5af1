// The dashboard's grid of monitored hosts: one tile per host, worst state first,
// counts per state, filters by state, tag and name (which the agent tiles share). Fed by
// "hosts" frames.
import * as format from "./format.js";
import { gettext, interpolate } from "./i18n.js";
import { arrowKeys } from "./tile-keys.js";

export const STATES = ["down", "degraded", "up", "pending", "paused"];
const RANK = Object.fromEntries(STATES.map((state, i) => [state, i]));
// Tiles sit in chunks of this many, each skipped by the browser while off screen
// (content-visibility): a change re-lays out the chunks on screen, not 2,000 tiles.
const CHUNK = 120;

function describe(host) {
  const since = host.changed_at
    ? " " + interpolate(gettext("since %(time)s"), { time: format.timestamp(Date.parse(host.changed_at) / 1000) })
    : "";
  const tags = host.tags.length ? ` · ${host.tags.join(", ")}` : "";
  return `${host.name} (${host.address}) · ${format.stateLabel(host.status)}${since}${tags}`;
}

// Plain code-point order: localeCompare is several times slower over 2,000 names.
function byName(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class HostGrid {
  constructor(root, hosts) {
    this.root = root;
    this.tilesBox = root.querySelector(".tiles");
    this.countsBox = root.querySelector(".state-counts");
    this.tagSelect = root.querySelector(".tag-filter");
    this.search = root.querySelector(".name-filter");
    this.empty = root.querySelector(".no-hosts");
    this.hosts = new Map(); // id -> { data, tile }
    this.tagsByName = new Map(); // host name -> its tags, for the agent of that name
    this.filter = { state: "", tag: "", text: "" };
    this.onFilter = () => {};
    this.countsShown = "";
    this.chunks = [];
    arrowKeys(this.tilesBox, ".tile");
    this.tagSelect.addEventListener("change", () => this.setFilter({ tag: this.tagSelect.value }));
    this.search.addEventListener("input", () => this.setFilter({ text: this.search.value.trim().toLowerCase() }));
    // "/" jumps to the search, as on most sites with one; not while typing elsewhere.
    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        this.search.focus();
      }
    });
    // Tooltips are built on hover: formatting 2,000 dates up front slows the first render.
    this.tilesBox.addEventListener("pointerover", (event) => {
      const tile = event.target.closest(".tile");
      if (tile) tile.title = describe(this.hosts.get(Number(tile.dataset.hostId)).data);
    });
    this.countsBox.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-state]");
      if (button) this.setFilter({ state: button.dataset.state === this.filter.state ? "" : button.dataset.state });
    });
    this.replaceAll(hosts);
  }

  // The full list (first render, and again after a reconnect).
  replaceAll(hosts) {
    const seen = new Set();
    for (const host of hosts) {
      seen.add(host.id);
      this.upsert(host);
    }
    for (const [id, entry] of this.hosts) {
      if (!seen.has(id)) {
        entry.tile.remove();
        this.hosts.delete(id);
      }
    }
    this.render(true);
  }

  // Changed hosts from a live frame; new hosts get a tile.
  update(hosts) {
    let reorder = false;
    for (const host of hosts) reorder = this.upsert(host) || reorder;
    this.render(reorder);
  }

  // Returns whether the host is new or changed state (its place in the order may change).
  upsert(host) {
    let entry = this.hosts.get(host.id);
    const moved = !entry || entry.data.status !== host.status || entry.data.name !== host.name;
    if (!entry) {
      const tile = document.createElement("a");
      tile.className = "tile";
      tile.href = `/hosts/${encodeURIComponent(host.id)}/`;
      tile.dataset.hostId = host.id;
      tile.append(document.createElement("span"), document.createElement("small"));
      entry = { tile };
      this.hosts.set(host.id, entry);
    }
    entry.data = host;
    this.tagsByName.set(host.name, host.tags);
    // The state in words as well as in colour; UP and DEGRADED with the latency. Written
    // only when changed (an off-screen tile costs no layout: content-visibility).
    const label = format.stateLabel(host.status);
    let text = host.status === "up" || host.status === "degraded"
      ? `${label} · ${format.milliseconds(host.latency_ms)}`
      : label;
    // A network device: its busiest port's load, the figure its operators watch first.
    const port = host.busiest_port;
    if (port) text += ` · ${port.name} ${format.bitsPerSecond(port.bps)}`;
    const { tile } = entry;
    if (moved) tile.dataset.status = host.status;
    if (tile.firstChild.textContent !== host.name) tile.firstChild.textContent = host.name;
    if (tile.lastChild.textContent !== text) tile.lastChild.textContent = text;
    return moved;
  }

  setFilter(change) {
    Object.assign(this.filter, change);
    this.render(false);
    this.onFilter(this.filter);
  }

  // The same filters for an agent: `state` as a host state, tags of the host of its name.
  matchesAgent(name, state) {
    const { state: wanted, tag, text } = this.filter;
    return (!wanted || state === wanted) &&
      (!tag || (this.tagsByName.get(name) ?? []).includes(tag)) &&
      (!text || name.toLowerCase().includes(text));
  }

  matches(host) {
    const { state, tag, text } = this.filter;
    return (!state || host.status === state) &&
      (!tag || host.tags.includes(tag)) &&
      (!text || host.name.toLowerCase().includes(text) || host.address.toLowerCase().includes(text));
  }

  // Worst state first, then by name, CHUNK tiles to a chunk. Only tiles out of place move:
  // each is put just before its successor, from the end of each chunk, and a tile that had
  // the keyboard focus gets it back.
  render(reorder) {
    const entries = [...this.hosts.values()];
    if (reorder) {
      entries.sort((a, b) =>
        (RANK[a.data.status] ?? 9) - (RANK[b.data.status] ?? 9) || byName(a.data.name, b.data.name));
      const focused = document.activeElement;
      this.placeInChunks(entries);
      if (focused?.classList?.contains("tile") && document.activeElement !== focused) focused.focus({ preventScroll: true });
      this.renderTags(entries);
    }
    const counts = Object.fromEntries(STATES.map((state) => [state, 0]));
    let shown = 0;
    for (const { data, tile } of entries) {
      counts[data.status] = (counts[data.status] ?? 0) + 1;
      const hidden = !this.matches(data);
      if (tile.hidden !== hidden) tile.hidden = hidden;
      if (!hidden) shown += 1;
    }
    this.renderCounts(counts, entries.length);
    this.empty.hidden = entries.length > 0;
    this.root.dataset.shown = shown;
  }

  placeInChunks(entries) {
    const needed = Math.ceil(entries.length / CHUNK);
    while (this.chunks.length < needed) {
      const chunk = document.createElement("div");
      chunk.className = "tile-chunk";
      this.tilesBox.append(chunk);
      this.chunks.push(chunk);
    }
    this.chunks.splice(needed).forEach((chunk) => chunk.remove());
    this.chunks.forEach((chunk, k) => {
      const tiles = entries.slice(k * CHUNK, (k + 1) * CHUNK).map((entry) => entry.tile);
      for (let i = tiles.length - 1; i >= 0; i--) {
        const next = tiles[i + 1] ?? null;
        if (tiles[i].parentNode !== chunk || tiles[i].nextSibling !== next) chunk.insertBefore(tiles[i], next);
      }
    });
  }

  renderCounts(counts, total) {
    const shown = JSON.stringify([counts, total, this.filter.state]);
    if (shown === this.countsShown) return; // unchanged: keep the buttons (and keyboard focus)
    this.countsShown = shown;
    const all = interpolate(gettext("All %(count)s"), { count: total });
    const buttons = [["", all], ...STATES.map((state) => [state, `${format.stateLabel(state)} ${counts[state]}`])];
    this.countsBox.replaceChildren(...buttons.map(([state, text]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.state = state;
      button.textContent = text;
      button.setAttribute("aria-pressed", String(this.filter.state === state));
      return button;
    }));
  }

  renderTags(entries) {
    const tags = [...new Set(entries.flatMap((entry) => entry.data.tags))].sort();
    const current = [...this.tagSelect.options].slice(1).map((option) => option.value);
    if (tags.join() === current.join()) return;
    this.tagSelect.replaceChildren(new Option(gettext("all tags"), ""), ...tags.map((tag) => new Option(tag, tag)));
    this.tagSelect.value = tags.includes(this.filter.tag) ? this.filter.tag : "";
  }
}

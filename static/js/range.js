// The time range a page's charts show: live, a preset range, or a span dragged out on a chart.
import { TIME_ZONE } from "./format.js";
import { LOCALE, gettext, interpolate } from "./i18n.js";

const PRESETS = [
  ["live", gettext("Live"), 0],
  ["1h", gettext("1 h"), 3600],
  ["6h", gettext("6 h"), 6 * 3600],
  ["24h", gettext("24 h"), 86400],
  ["7d", gettext("7 d"), 7 * 86400],
  ["30d", gettext("30 d"), 30 * 86400],
];

export class RangePicker {
  // onChange(picker) is called after every choice; picker.live tells which mode to draw.
  // It returns a promise: while it runs the picker says "loading", if it fails it says why
  // and offers to try again.
  constructor(root, onChange) {
    this.root = root;
    this.onChange = onChange;
    this.preset = "live";
    this.zoomed = null; // [from, to] while zoomed in by dragging
    this.buttons = PRESETS.map(([name, label]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.range = name;
      button.textContent = label;
      button.addEventListener("click", () => this.choose(name));
      return button;
    });
    this.zoomLabel = document.createElement("span");
    this.zoomLabel.className = "zoom-label muted";
    this.resetButton = document.createElement("button");
    this.resetButton.type = "button";
    this.resetButton.className = "link";
    this.resetButton.textContent = gettext("reset zoom");
    this.resetButton.addEventListener("click", () => this.choose(this.preset));
    this.status = document.createElement("span");
    this.status.className = "range-status";
    this.status.setAttribute("role", "status"); // read out by screen readers as it changes
    this.retryButton = document.createElement("button");
    this.retryButton.type = "button";
    this.retryButton.className = "link";
    this.retryButton.textContent = gettext("try again");
    this.retryButton.hidden = true;
    this.retryButton.addEventListener("click", () => this.changed());
    this.loads = 0;
    root.replaceChildren(...this.buttons, this.zoomLabel, this.resetButton, this.status, this.retryButton);
    this.render();
  }

  // Run onChange and show its progress; only the latest choice's outcome is shown.
  async changed() {
    const load = ++this.loads;
    const label = this.zoomed ? gettext("the selected span") : this.buttons.find((b) => b.dataset.range === this.preset).textContent;
    this.showStatus(this.live ? "" : interpolate(gettext("Loading %(range)s…"), { range: label }), "loading");
    try {
      await this.onChange(this);
      if (load === this.loads) this.showStatus("", "");
    } catch (error) {
      if (load === this.loads) {
        this.showStatus(interpolate(gettext("Could not load %(range)s: %(error)s"), { range: label, error: error.message }), "error");
      }
    }
  }

  showStatus(text, state) {
    this.status.textContent = text;
    this.root.dataset.loading = state;
    this.retryButton.hidden = state !== "error";
  }

  get live() {
    return this.preset === "live" && !this.zoomed;
  }

  // The span to draw, in unix seconds; presets end now.
  window() {
    if (this.zoomed) return this.zoomed;
    const now = Date.now() / 1000;
    const seconds = PRESETS.find(([name]) => name === this.preset)[2];
    return [now - seconds, now];
  }

  choose(name) {
    this.preset = name;
    this.zoomed = null;
    this.render();
    return this.changed();
  }

  zoom(from, to) {
    if (!(to - from >= 2)) return; // a click, not a drag
    this.zoomed = [from, to];
    this.render();
    return this.changed();
  }

  render() {
    for (const button of this.buttons) {
      button.setAttribute("aria-pressed", String(!this.zoomed && button.dataset.range === this.preset));
    }
    this.root.dataset.range = this.zoomed ? "zoom" : this.preset;
    this.zoomLabel.textContent = this.zoomed ? `${timeLabel(this.zoomed[0])} – ${timeLabel(this.zoomed[1])}` : "";
    this.resetButton.hidden = !this.zoomed;
  }
}

function timeLabel(ts) {
  return new Date(ts * 1000).toLocaleString(LOCALE, {
    timeZone: TIME_ZONE, hour12: false, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
    timeZoneName: "short", // a zoomed span says in which zone its ends are
  });
}

// GET a series endpoint; `points` is usually the chart's width in pixels.
export async function fetchSeries(url, metrics, from, to, points) {
  const params = new URLSearchParams({
    metric: metrics.join(","),
    from: Math.floor(from),
    to: Math.ceil(to),
    points: Math.max(2, Math.min(Math.round(points), 10000)),
  });
  const response = await fetch(`${url}?${params}`, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.detail ?? interpolate(gettext("the server answered HTTP %(status)s"), { status: response.status }));
  }
  return response.json();
}

// A series response as frames shaped like the live ones ({ts, cpu: {percent}, net: {eth0: {rx_bps}}}),
// one per bucket (its average, or its min or max), so that live and history charts share one code
// path. `catalogue` gives each metric's path in a frame; a `*` in it stands for the series label.
export function framesFromSeries(body, catalogue, column = "avg") {
  const frames = body.t.map((ts) => ({ ts }));
  for (const series of body.series) {
    const path = catalogue[series.metric]?.path;
    if (!path) continue;
    const keys = path.map((key) => (key === "*" ? series.label : key));
    series[column].forEach((value, i) => {
      if (value === null) return;
      let node = frames[i];
      for (const key of keys.slice(0, -1)) node = node[key] ??= {};
      node[keys.at(-1)] = value;
    });
  }
  return frames;
}

// The time range a page's charts show: live, a preset range, or a span dragged out on a chart.

const PRESETS = [
  ["live", "Live", 0],
  ["1h", "1 h", 3600],
  ["6h", "6 h", 6 * 3600],
  ["24h", "24 h", 86400],
  ["7d", "7 d", 7 * 86400],
  ["30d", "30 d", 30 * 86400],
];

export class RangePicker {
  // onChange(picker) is called after every choice; picker.live tells which mode to draw.
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
    this.resetButton.textContent = "reset zoom";
    this.resetButton.addEventListener("click", () => this.choose(this.preset));
    root.replaceChildren(...this.buttons, this.zoomLabel, this.resetButton);
    this.render();
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
    this.onChange(this);
  }

  zoom(from, to) {
    if (!(to - from >= 2)) return; // a click, not a drag
    this.zoomed = [from, to];
    this.render();
    this.onChange(this);
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
  return new Date(ts * 1000).toLocaleString([], { hour12: false, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
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
  if (!response.ok) throw new Error(`history request failed: HTTP ${response.status}`);
  return response.json();
}

// A series response as frames shaped like the live ones ({ts, cpu: {percent}, net: {eth0: {rx_bps}}}),
// one per bucket (its average), so that live and history charts share one code path. `catalogue`
// gives each metric's path in a frame; a `*` in it stands for the series label.
export function framesFromSeries(body, catalogue) {
  const frames = body.t.map((ts) => ({ ts }));
  for (const series of body.series) {
    const path = catalogue[series.metric]?.path;
    if (!path) continue;
    const keys = path.map((key) => (key === "*" ? series.label : key));
    series.avg.forEach((value, i) => {
      if (value === null) return;
      let node = frames[i];
      for (const key of keys.slice(0, -1)) node = node[key] ??= {};
      node[keys.at(-1)] = value;
    });
  }
  return frames;
}

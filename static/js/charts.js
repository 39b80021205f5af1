// uPlot time-series charts shared by the dashboard and the host pages.
/* global uPlot */
import { TIME_ZONE } from "./format.js";
import { LOCALE } from "./i18n.js";

const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"];
const HEIGHT = 130;
// Axis and grid colours come from the theme (app.css), read at each draw.
const themed = (name) => () => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const AXIS = { stroke: themed("--chart-axis"), grid: { stroke: themed("--chart-grid") }, ticks: { stroke: themed("--chart-grid") } };

// spec: { series: [labels], format(value), range?: [min, max], floor?: number, spanGaps?: bool,
//         onZoom?(from, to): dragging across the chart picks that span instead of zooming in place }
export function makePlot(element, spec) {
  const options = {
    width: element.clientWidth || 320,
    height: HEIGHT,
    legend: { live: false },
    // Ticks fall on the hours and days of the reader's zone, not the browser's.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), TIME_ZONE),
    cursor: { drag: { x: Boolean(spec.onZoom), y: false, setScale: false } },
    hooks: {
      setSelect: spec.onZoom ? [(u) => pickSpan(u, spec.onZoom)] : [],
      drawAxes: [(u) => drawBands(u, chart.bands)], // under the lines
    },
    // Fixed ranges for percentages; otherwise from zero, never flatter than `floor`,
    // so an idle interface shows a flat line rather than a magnified jitter.
    scales: { y: { range: spec.range ?? ((u, min, max) => [0, Math.max(max ?? 0, spec.floor) * 1.1]) } },
    axes: [
      {
        ...AXIS,
        space: 90, // room for a full HH:MM:SS label per tick
        // The ticks' zone, once under the axis rather than on every tick.
        label: ZONE_NAME,
        labelSize: 16,
        labelFont: "11px system-ui, sans-serif",
        values: (u, ticks) => ticks.map((t) => timeTick(t, u.scales.x.max - u.scales.x.min)),
      },
      { ...AXIS, size: 92, values: (u, ticks) => ticks.map(spec.format) },
    ],
    series: [
      {},
      ...spec.series.map((label, i) => ({
        label,
        stroke: COLORS[i % COLORS.length],
        width: 1.5,
        spanGaps: spec.spanGaps ?? false,
        points: { show: spec.spanGaps ?? false, size: 4 },
        value: (u, v) => spec.format(v),
      })),
    ],
  };
  const data = [[], ...spec.series.map(() => [])];
  // bands: null, or [lows, highs], each a column per series aligned with data[0]
  const chart = { data, element, spec, bands: null };
  const plot = new uPlot(options, data, element);
  const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: HEIGHT }));
  resize.observe(element);
  const recolour = () => plot.redraw(false, true);
  window.addEventListener("themechange", recolour);
  const destroy = () => {
    resize.disconnect();
    window.removeEventListener("themechange", recolour);
    plot.destroy();
  };
  return Object.assign(chart, { plot, destroy });
}

// Each series' min-max range as a faint band in its colour: what a bucket's average hides
// (a one-second spike inside a two-minute bucket). Drawn for ranges from history only;
// live points are single seconds, whose min and max are the value itself.
function drawBands(u, bands) {
  const element = u.root.parentNode;
  element.dataset.bandShapes = 0;
  if (!bands) return;
  const [lows, highs] = bands;
  const times = u.data[0];
  const ctx = u.ctx;
  ctx.save();
  ctx.globalAlpha = 0.18;
  lows.forEach((low, s) => {
    if (!u.series[s + 1].show) return;
    ctx.fillStyle = COLORS[s % COLORS.length];
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        fillRun(u, ctx, times, low, highs[s], run);
        element.dataset.bandShapes = Number(element.dataset.bandShapes) + 1;
      }
      run = [];
    };
    for (let i = 0; i < times.length; i++) {
      if (low[i] == null || highs[s][i] == null) flush();
      else run.push(i);
    }
    flush();
  });
  ctx.restore();
}

// One closed shape: along the highs left to right, back along the lows.
function fillRun(u, ctx, times, low, high, run) {
  const x = (i) => u.valToPos(times[i], "x", true);
  const y = (v) => u.valToPos(v, "y", true);
  ctx.beginPath();
  run.forEach((i, n) => (n ? ctx.lineTo(x(i), y(high[i])) : ctx.moveTo(x(i), y(high[i]))));
  for (let n = run.length - 1; n >= 0; n--) ctx.lineTo(x(run[n]), y(low[run[n]]));
  ctx.closePath();
  ctx.fill();
}

// The reader's zone as the ticks are in it: "CET", "UTC", "GMT+8".
const ZONE_NAME =
  new Intl.DateTimeFormat(LOCALE, { timeZone: TIME_ZONE, timeZoneName: "short" }).formatToParts(new Date()).find((part) => part.type === "timeZoneName")?.value ?? TIME_ZONE;

// Times of day for spans up to a day, dates beyond.
function timeTick(ts, span) {
  const date = new Date(ts * 1000);
  if (span > 86400) {
    return date.toLocaleString(LOCALE, { timeZone: TIME_ZONE, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
  }
  return date.toLocaleTimeString(LOCALE, { timeZone: TIME_ZONE, hour12: false });
}

function pickSpan(u, onZoom) {
  const { left, width } = u.select;
  if (width < 3) return;
  const from = u.posToVal(left, "x");
  const to = u.posToVal(left + width, "x");
  u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
  onZoom(from, to);
}

export function draw(chart) {
  chart.plot.setData(chart.data);
  chart.element.dataset.band = chart.bands ? "min-max" : "none";
  chart.element.dataset.points = chart.data[0].length;
}

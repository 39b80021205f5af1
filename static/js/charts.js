// uPlot time-series charts shared by the dashboard and the host pages.
/* global uPlot */

const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"];
const HEIGHT = 130;

// spec: { series: [labels], format(value), range?: [min, max], floor?: number, spanGaps?: bool }
export function makePlot(element, spec) {
  const options = {
    width: element.clientWidth || 320,
    height: HEIGHT,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    // Fixed ranges for percentages; otherwise from zero, never flatter than `floor`,
    // so an idle interface shows a flat line rather than a magnified jitter.
    scales: { y: { range: spec.range ?? ((u, min, max) => [0, Math.max(max ?? 0, spec.floor) * 1.1]) } },
    axes: [
      {
        space: 90, // room for a full HH:MM:SS label per tick
        values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour12: false })),
      },
      { size: 92, values: (u, ticks) => ticks.map(spec.format) },
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
  const plot = new uPlot(options, data, element);
  new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: HEIGHT })).observe(element);
  return { plot, data, element, spec };
}

export function draw(chart) {
  chart.plot.setData(chart.data);
  chart.element.dataset.points = chart.data[0].length;
}

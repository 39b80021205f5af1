// The ports section of a network device's host page: the live port table and the chosen
// port's traffic chart, live from "ports" frames or a stored range from the series API.
import { draw, makePlot } from "./charts.js";
import * as format from "./format.js";
import { gettext, interpolate } from "./i18n.js";
import { PortTable } from "./ports.js";
import { fetchSeries } from "./range.js";

const WINDOW_S = 3600;

export function devicePorts(config, seriesUrl, onZoom) {
  const root = document.getElementById("ports");
  const caption = document.getElementById("port-chart-caption");
  const chart = makePlot(document.getElementById("port-chart"), {
    series: [gettext("in"), gettext("out")],
    format: format.bitsPerSecond,
    floor: 1000,
    onZoom,
  });
  let live = [[], [], []];
  let selected = null;
  let range = null;

  const table = new PortTable(root, config.ports, async (port) => {
    selected = port.name;
    caption.textContent = interpolate(gettext("Traffic of %(port)s (bit/s)"), { port: port.name });
    live = [[], [], []];
    await fillFromHistory(port.name);
    return show(range);
  });

  // The live chart starts with the last hour from history, not empty (polls come a minute apart).
  async function fillFromHistory(name) {
    const to = Date.now() / 1000;
    let body;
    try {
      body = await fetchSeries(seriesUrl, ["port.in_bps", "port.out_bps"], to - WINDOW_S, to, chart.element.clientWidth || 600);
    } catch {
      return; // no history to hand: the live points alone
    }
    if (selected !== name) return; // another port was chosen meanwhile
    const column = (metric) => body.series.find((s) => s.metric === metric && s.label === name)?.avg ?? body.t.map(() => null);
    const ins = column("port.in_bps");
    const outs = column("port.out_bps");
    const arrived = live[0].length ? live[0][0] : Infinity; // live points that came during the request stay
    const rows = body.t.map((t, i) => [t, ins[i], outs[i]]).filter(([t, a, b]) => t < arrived && (a != null || b != null));
    live = [0, 1, 2].map((k) => [...rows.map((row) => row[k]), ...live[k]]);
  }

  async function show(next) {
    range = next;
    if (selected === null) return;
    if (!range || range.live) {
      chart.data = live;
      chart.bands = null;
    } else {
      const [from, to] = range.window();
      const width = chart.element.clientWidth || 600;
      const body = await fetchSeries(seriesUrl, ["port.in_bps", "port.out_bps"], from, to, width);
      const column = (metric, kind) =>
        body.series.find((s) => s.metric === metric && s.label === selected)?.[kind] ?? body.t.map(() => null);
      chart.data = [body.t, column("port.in_bps", "avg"), column("port.out_bps", "avg")];
      chart.bands = [
        [column("port.in_bps", "min"), column("port.out_bps", "min")],
        [column("port.in_bps", "max"), column("port.out_bps", "max")],
      ];
    }
    draw(chart);
  }

  function onPorts(ports) {
    table.update(ports);
    const port = ports.find((p) => p.name === selected);
    if (!port || port.in_bps == null) return;
    live[0].push(port.ts);
    live[1].push(port.in_bps);
    live[2].push(port.out_bps);
    while (live[0].length && live[0][0] < port.ts - WINDOW_S) live.forEach((values) => values.shift());
    if (!range || range.live) draw(chart);
  }

  // The busiest port is charted from the start.
  const first = [...table.ports.values()].sort((a, b) => Math.max(b.data.in_bps ?? -1, b.data.out_bps ?? -1) -
    Math.max(a.data.in_bps ?? -1, a.data.out_bps ?? -1))[0];
  if (first) table.select(first.data.index);
  return { show, onPorts };
}

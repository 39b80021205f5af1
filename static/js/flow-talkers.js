// A device's top talkers over the last minute, from the flows it exports ("flow_talkers"
// frames, every few seconds): per port and direction, the busiest of each table, with bars.
import * as format from "./format.js";
import { gettext } from "./i18n.js";

const TABLES = [
  ["sources", gettext("Sources")],
  ["destinations", gettext("Destinations")],
  ["pairs", gettext("Pairs")],
  ["protocols", gettext("Protocols")],
  ["services", gettext("Services")],
];

function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function table(caption, rows, total) {
  const element = document.createElement("table");
  element.className = "results talkers";
  element.append(cell("caption", caption));
  for (const [key, bytes] of rows) {
    const row = element.insertRow();
    row.append(cell("td", key || gettext("other"), key ? "" : "muted"));
    const bar = cell("td", format.bytes(bytes), "bar-cell");
    bar.style.setProperty("--share", `${total ? (100 * bytes) / total : 0}%`);
    row.append(bar);
  }
  return element;
}

export function flowTalkers(section) {
  const body = section.querySelector(".talkers-body");
  return {
    onTalkers(frame) {
      section.hidden = false;
      const ports = frame.ports.map((port) => {
        const block = document.createElement("div");
        block.className = "talkers-port";
        const direction = port.direction === "in" ? gettext("in") : gettext("out");
        const rate = format.bitsPerSecond((8 * port.bytes) / frame.window_s);
        block.append(cell("h3", `${port.name} ${direction} · ${rate}`));
        const tables = document.createElement("div");
        tables.className = "talkers-tables";
        tables.append(...TABLES.map(([name, caption]) => table(caption, port[name], port.bytes)));
        block.append(tables);
        return block;
      });
      body.replaceChildren(...ports);
    },
  };
}

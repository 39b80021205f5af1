// A network device's ports: a live table (busiest first, sortable, filtered by state and
// name) and one port's traffic chart. Fed by "ports" frames after each SNMP poll.
import * as format from "./format.js";
import { gettext } from "./i18n.js";

const load = (port) => Math.max(port.in_bps ?? -1, port.out_bps ?? -1);
const COLUMNS = {
  name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }),
  oper: (a, b) => a.oper.localeCompare(b.oper),
  in_bps: (a, b) => (a.in_bps ?? -1) - (b.in_bps ?? -1),
  out_bps: (a, b) => (a.out_bps ?? -1) - (b.out_bps ?? -1),
  util_pct: (a, b) => (a.util_pct ?? -1) - (b.util_pct ?? -1),
  errors_ps: (a, b) => (a.errors_ps ?? -1) - (b.errors_ps ?? -1),
  load: (a, b) => load(a) - load(b),
};

function stateOf(port) {
  if (!port.admin_up) return "disabled";
  return port.oper === "up" ? "up" : "down";
}

const STATE_LABELS = { up: gettext("up"), down: gettext("down"), disabled: gettext("disabled") };

export class PortTable {
  // root holds: table.ports (thead th[data-sort]), input.port-filter, select.port-state; onSelect(port)
  constructor(root, ports, onSelect) {
    this.root = root;
    this.body = root.querySelector("tbody");
    this.ports = new Map(); // index -> { data, row }
    this.sort = { key: "load", descending: true }; // busiest first
    this.filter = { text: "", state: "" };
    this.selected = null;
    this.onSelect = onSelect;
    root.querySelector(".port-filter").addEventListener("input", (event) => {
      this.filter.text = event.target.value.trim().toLowerCase();
      this.render();
    });
    root.querySelector(".port-state").addEventListener("change", (event) => {
      this.filter.state = event.target.value;
      this.render();
    });
    for (const header of root.querySelectorAll("th[data-sort]")) {
      const button = header.querySelector("button");
      button.addEventListener("click", () => {
        const key = header.dataset.sort;
        this.sort = { key, descending: this.sort.key === key ? !this.sort.descending : key !== "name" };
        this.render();
      });
    }
    this.update(ports);
  }

  // Every port as one poll left it; ports the device no longer has are removed.
  update(ports) {
    const seen = new Set();
    for (const port of ports) {
      seen.add(port.index);
      let entry = this.ports.get(port.index);
      if (!entry) {
        entry = { row: this.makeRow(port.index) };
        this.ports.set(port.index, entry);
      }
      entry.data = port;
      this.fill(entry.row, port);
    }
    for (const [index, entry] of this.ports) {
      if (!seen.has(index)) {
        entry.row.remove();
        this.ports.delete(index);
      }
    }
    this.render();
  }

  makeRow(index) {
    const row = document.createElement("tr");
    row.dataset.index = index;
    row.tabIndex = 0;
    for (const field of ["name", "alias", "state", "speed", "in", "out", "util", "errors", "discards"]) {
      const cell = document.createElement("td");
      cell.dataset.field = field;
      if (!["name", "alias", "state"].includes(field)) cell.className = "num";
      row.append(cell);
    }
    const choose = () => this.select(index);
    row.addEventListener("click", choose);
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose();
      }
    });
    return row;
  }

  fill(row, port) {
    const state = stateOf(port);
    const texts = {
      name: port.name,
      alias: port.alias,
      state: STATE_LABELS[state],
      speed: format.bitsPerSecond(port.speed_bps),
      in: format.bitsPerSecond(port.in_bps),
      out: format.bitsPerSecond(port.out_bps),
      util: format.percent(port.util_pct),
      errors: format.number(port.errors_ps),
      discards: format.number(port.discards_ps),
    };
    row.dataset.state = state;
    for (const cell of row.cells) {
      const text = texts[cell.dataset.field];
      if (cell.textContent !== text) cell.textContent = text;
    }
  }

  select(index) {
    this.selected = index;
    for (const [i, entry] of this.ports) entry.row.setAttribute("aria-selected", String(i === index));
    this.onSelect(this.ports.get(index).data);
  }

  render() {
    const { key, descending } = this.sort;
    const order = (a, b) => (descending ? -1 : 1) * COLUMNS[key](a.data, b.data) || COLUMNS.name(a.data, b.data);
    const entries = [...this.ports.values()].sort(order);
    const { text, state } = this.filter;
    let shown = 0;
    for (const { data, row } of entries) {
      const hidden = (state && stateOf(data) !== state) ||
        (text && !data.name.toLowerCase().includes(text) && !data.alias.toLowerCase().includes(text));
      row.hidden = Boolean(hidden);
      if (!hidden) shown += 1;
    }
    for (let i = entries.length - 1; i >= 0; i--) {
      const next = entries[i + 1]?.row ?? null;
      if (entries[i].row.nextSibling !== next || entries[i].row.parentNode !== this.body) this.body.insertBefore(entries[i].row, next);
    }
    for (const header of this.root.querySelectorAll("th[data-sort]")) {
      const sorted = header.dataset.sort === key;
      header.setAttribute("aria-sort", sorted ? (descending ? "descending" : "ascending") : "none");
    }
    this.root.dataset.shown = shown;
  }
}

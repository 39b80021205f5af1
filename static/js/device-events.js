// A device's network events (SNMP traps, syslog): the newest first, seeded from the page,
// then prepended as "events" frames arrive (events.live sends them every 50 ms at most).
import * as format from "./format.js";

const MAX_ROWS = 200;
const SEVERITIES = ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"];

function row(event) {
  const tr = document.createElement("tr");
  tr.dataset.severity = event.severity;
  for (const text of [format.timestamp(event.ts), SEVERITIES[event.severity] ?? event.severity, event.name, event.text]) {
    const td = document.createElement("td");
    td.textContent = text ?? "";
    tr.append(td);
  }
  return tr;
}

export function deviceEvents(table, seeded) {
  const body = table.tBodies[0];
  const add = (events) => {
    for (const event of events) body.prepend(row(event));
    while (body.rows.length > MAX_ROWS) body.lastElementChild.remove();
  };
  add(seeded);
  return { onEvents: add };
}

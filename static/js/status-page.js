// A status page: drawn by the server, redrawn here whenever the server pushes a new document.
import { LiveSocket, showConnectionState } from "./live-socket.js";
import { timestamp } from "./format.js";

const root = document.getElementById("status-page");
const LEVELS = { u: "up", p: "partial", d: "down", m: "maintenance", n: "unknown" };
const OVERALL = {
  down: "Some services are down",
  degraded: "Some services are degraded",
  up: "All services are operational",
};

function showTimes(scope) {
  for (const time of scope.querySelectorAll("time[data-ts]")) {
    const seconds = Number(time.dataset.ts);
    time.dateTime = new Date(seconds * 1000).toISOString();
    time.textContent = timestamp(seconds);
  }
}

function element(tag, attributes = {}, text = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== null) node.textContent = text;
  return node;
}

function percent(value) {
  return value === null ? "–" : `${value.toFixed(2)}%`;
}

function hostItem(host, days) {
  const item = element("li", { class: "status-host", "data-host": host.id, "data-state": host.state });
  const head = element("div", { class: "status-host-head" });
  head.append(element("span", { class: "status-name" }, host.name));
  head.append(element("span", { class: "status-state", "data-state": host.state }, host.state.toUpperCase()));
  item.append(head);
  if (host.reason) item.append(element("p", { class: "status-reason" }, host.reason));
  const uptime = element("dl", { class: "status-uptime" });
  for (const [window, pct] of Object.entries(host.uptime)) {
    const pair = element("div");
    pair.append(element("dt", {}, window), element("dd", {}, percent(pct)));
    uptime.append(pair);
  }
  item.append(uptime);
  const bars = element("ol", { class: "status-bars", "aria-label": `Uptime per day, last ${days.length} days` });
  host.daily.forEach((pct, index) => {
    const level = LEVELS[host.levels[index]];
    bars.append(element("li", { "data-level": level, title: `${days[index]}: ${pct === null ? "no data" : percent(pct)}` }));
  });
  item.append(bars);
  return item;
}

function noticeItem(notice) {
  const article = element("article", { class: "notice", "data-kind": notice.kind });
  article.append(element("h2", {}, notice.title));
  if (notice.message) article.append(element("p", {}, notice.message));
  const when = element("p", { class: "muted" });
  when.append(element("time", { "data-ts": notice.starts_at }));
  if (notice.ends_at) when.append(" – ", element("time", { "data-ts": notice.ends_at }));
  article.append(when);
  return article;
}

function draw(doc) {
  const overall = document.getElementById("status-overall");
  overall.dataset.state = doc.state;
  overall.textContent = OVERALL[doc.state] || "Waiting for the first checks";
  document.getElementById("status-notices").replaceChildren(...doc.notices.map(noticeItem));
  const sections = doc.sections.map((section) => {
    const node = element("section", { class: "status-section" });
    node.append(element("h2", {}, section.title));
    const list = element("ul", { class: "status-hosts" });
    list.append(...section.hosts.map((host) => hostItem(host, doc.days)));
    node.append(list);
    return node;
  });
  document.getElementById("status-sections").replaceChildren(...sections);
  document.getElementById("status-updated").dataset.ts = doc.generated_at;
  document.title = doc.title;
  showTimes(document);
}

let shown = JSON.parse(document.getElementById("status-document").textContent);
showTimes(document);
// Each document names its content by etag: a reconnect that brings the same one redraws nothing.
new LiveSocket(root.dataset.socket, {
  onFrame: (doc) => {
    if (doc.type !== "status" || doc.etag === shown.etag) return;
    shown = doc;
    draw(doc);
  },
  onState: (state, delay) => showConnectionState(document.getElementById("status-connection"), state, delay),
});

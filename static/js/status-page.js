// A status page: drawn by the server, redrawn here whenever the server pushes a new document.
import { LiveSocket, showConnectionState } from "./live-socket.js";
import { stateLabel, timestamp } from "./format.js";
import { gettext, interpolate, ngettext } from "./i18n.js";

const root = document.getElementById("status-page");
const LEVELS = { u: "up", p: "partial", d: "down", m: "maintenance", n: "unknown" };
const OVERALL = {
  down: gettext("Some services are down"),
  degraded: gettext("Some services are degraded"),
  up: gettext("All services are operational"),
};
const WINDOWS = { "24h": gettext("24 h"), "7d": gettext("7 days"), "30d": gettext("30 days"), "90d": gettext("90 days") };

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
  head.append(element("span", { class: "status-state", "data-state": host.state }, stateLabel(host.state)));
  item.append(head);
  if (host.reason) item.append(element("p", { class: "status-reason" }, host.reason));
  const uptime = element("dl", { class: "status-uptime" });
  for (const [window, pct] of Object.entries(host.uptime)) {
    const pair = element("div");
    pair.append(element("dt", {}, WINDOWS[window] ?? window), element("dd", {}, percent(pct)));
    uptime.append(pair);
  }
  item.append(uptime);
  const barsLabel = ngettext("Uptime per day, last %(days)s day", "Uptime per day, last %(days)s days", days.length);
  const bars = element("ol", { class: "status-bars", "aria-label": interpolate(barsLabel, { days: days.length }) });
  host.daily.forEach((pct, index) => {
    const level = LEVELS[host.levels[index]];
    bars.append(element("li", { "data-level": level, title: `${days[index]}: ${pct === null ? gettext("no data") : percent(pct)}` }));
  });
  item.append(bars);
  return item;
}

function noticeTitle(notice) {
  const scheduled = notice.scheduled_for;
  if (scheduled?.host) return interpolate(gettext("Scheduled maintenance: %(host)s"), { host: scheduled.host });
  if (scheduled?.tag) return interpolate(gettext("Scheduled maintenance: hosts tagged %(tag)s"), { tag: scheduled.tag });
  return notice.title;
}

function noticeItem(notice) {
  const article = element("article", { class: "notice", "data-kind": notice.kind });
  article.append(element("h2", {}, noticeTitle(notice)));
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
  overall.textContent = OVERALL[doc.state] || gettext("Waiting for the first checks");
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

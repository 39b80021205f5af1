// The user's own alert channel, on every page: the bell with the count of open,
// unacknowledged alerts, a list to acknowledge them, toasts, desktop notifications.
import { LiveSocket } from "./live-socket.js";
import * as format from "./format.js";
import { gettext, interpolate } from "./i18n.js";

const TOAST_MS = 8000;
const open = new Map(); // alert id -> alert, while firing
const bell = document.getElementById("alert-bell");
const count = document.getElementById("alert-count");
const dropdown = document.getElementById("alert-dropdown");
const list = document.getElementById("alert-list");
const toasts = document.getElementById("toasts");
const desktop = document.getElementById("desktop-notifications");
const critical = document.getElementById("critical-announcer");

function render() {
  const unread = [...open.values()].filter((alert) => !alert.acknowledged_by).length;
  count.textContent = unread;
  count.hidden = unread === 0;
  bell.dataset.severity = [...open.values()].some((a) => a.severity === "critical" && !a.acknowledged_by)
    ? "critical" : "";
  list.replaceChildren(...[...open.values()].sort((a, b) => b.since - a.since).map(item));
  dropdown.querySelector(".alert-empty").hidden = open.size > 0;
}

function item(alert) {
  const li = document.createElement("li");
  li.dataset.alertId = alert.id;
  li.dataset.severity = alert.severity;
  const text = document.createElement("span");
  text.textContent = interpolate(gettext("%(rule)s · %(subject)s · since %(time)s"), {
    rule: alert.rule, subject: alert.subject, time: format.timestamp(alert.since),
  });
  li.append(text);
  if (alert.acknowledged_by) {
    const who = document.createElement("small");
    who.className = "muted";
    who.textContent = " " + interpolate(gettext("acknowledged by %(user)s"), { user: alert.acknowledged_by });
    li.append(who);
  } else {
    const ack = document.createElement("button");
    ack.type = "button";
    ack.className = "ack";
    ack.textContent = gettext("Acknowledge");
    ack.addEventListener("click", () => socket.send({ type: "ack", id: alert.id }));
    li.append(ack);
  }
  return li;
}

function toast(kind, alert) {
  const box = document.createElement("div");
  box.className = "toast";
  box.dataset.kind = kind;
  box.dataset.severity = alert.severity;
  const text = document.createElement("span");
  text.textContent = alert.message;
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "dismiss";
  dismiss.textContent = "×";
  dismiss.setAttribute("aria-label", gettext("Dismiss"));
  dismiss.addEventListener("click", () => box.remove());
  box.append(text, dismiss);
  toasts.append(box);
  setTimeout(() => box.remove(), TOAST_MS);
  // The toasts are announced politely; a critical alert interrupts the screen reader.
  if (kind === "firing" && alert.severity === "critical") critical.textContent = interpolate(gettext("Critical alert: %(message)s"), { message: alert.message });
  if (kind === "firing" && window.Notification?.permission === "granted" && document.hidden) {
    const title = alert.severity === "critical" ? gettext("CRITICAL: %(rule)s") : gettext("WARNING: %(rule)s");
    new Notification(interpolate(title, { rule: alert.rule }), { body: alert.message, tag: `alert-${alert.id}` });
  }
}

function onFrame(frame) {
  if (frame.type === "alerts") { // on every (re)connect: the open alerts, replacing what is shown
    open.clear();
    frame.alerts.forEach((alert) => open.set(alert.id, alert));
  } else if (frame.type === "alert") {
    const { alert } = frame;
    if (frame.event === "resolved") open.delete(alert.id);
    else open.set(alert.id, alert);
    toast(frame.event, alert);
  } else if (frame.type === "error") {
    console.warn("alerts:", frame.message);
  }
  render();
}

const socket = new LiveSocket("/ws/alerts/", { onFrame, onState: () => {} });

function showList(shown) {
  dropdown.hidden = !shown;
  bell.setAttribute("aria-expanded", String(shown));
}

bell.addEventListener("click", () => showList(dropdown.hidden));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !dropdown.hidden) {
    showList(false);
    bell.focus();
  }
});
desktop.hidden = !("Notification" in window);
desktop.addEventListener("click", () => window.Notification.requestPermission());
render();

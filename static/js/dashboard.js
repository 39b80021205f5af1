// The live dashboard: the grid of monitored hosts, a tile per agent host (opening to its
// charts), the ops chat; fed by /ws/stats/.
import { LiveSocket, showConnectionState } from "./live-socket.js";
import { HostGrid } from "./host-grid.js";
import { AgentOverview } from "./agent-tiles.js";
import { ChatPanel } from "./chat.js";
import { RangePicker } from "./range.js";
import { arrowKeys } from "./tile-keys.js";
import { gettext, interpolate } from "./i18n.js";
import * as format from "./format.js";

const config = JSON.parse(document.getElementById("dashboard-config").textContent);
const connection = document.getElementById("connection");
const grid = new HostGrid(document.getElementById("hosts"), JSON.parse(document.getElementById("host-list").textContent));
const picker = new RangePicker(document.getElementById("range"), (range) => agents.showRange(range));
// The server calls an agent offline after AGENT_OFFLINE_AFTER; a tile turns stale by the
// same measure, even while its socket is down.
const agents = new AgentOverview(document.getElementById("agents"), {
  picker, grid, staleAfter: config.offlineAfter, sampleInterval: config.sampleInterval,
});
arrowKeys(document.querySelector("#agents .agent-tiles"), ".agent-open");
let connectedBefore = false;

async function refreshHosts() {
  // States may have changed while the socket was down: fetch them all once.
  const query = new URLSearchParams({ q: config.hostQuery });
  const response = await fetch(`/hosts/grid.json?${query}`, { headers: { Accept: "application/json" } });
  if (response.ok) grid.replaceAll((await response.json()).hosts);
}

function onState(state, delay) {
  showConnectionState(connection, state, delay);
  if (state === "live") {
    if (connectedBefore) {
      refreshHosts().catch((error) => console.warn("host refresh failed", error));
      agents.fillGaps();
    }
    connectedBefore = true;
  }
}

// A part live data depends on has stopped (stats/part_watch.py): say so until it is back.
function showPart(element, ok, message, since) {
  element.hidden = ok;
  if (!ok) element.textContent = interpolate(message, { time: format.timestamp(since) });
}
// Checks run only while something dispatches them (celery beat's tick).
const dispatchStopped = document.getElementById("dispatch-stopped");
const showDispatch = (frame) => showPart(dispatchStopped, frame.running,
  gettext("Checks are not running: none was dispatched since %(time)s. Is celery beat running?"), frame.since);
// Live charts go on without the database; what is measured meanwhile is written when it is back.
const databaseDown = document.getElementById("database-down");
const showDatabase = (frame) => showPart(databaseDown, frame.available,
  gettext("The database has not answered since %(time)s: live data goes on, and history, check results, alerts and chat messages are written when it is back."), frame.since);

function onFrame(frame) {
  if (frame.type === "error") {
    console.warn("server:", frame.message);
  } else if (frame.type === "hosts") {
    grid.update(config.hostsPartial ? frame.hosts.filter((host) => grid.hosts.has(host.id)) : frame.hosts);
  } else if (frame.type === "checks_dispatch") {
    showDispatch(frame);
  } else if (frame.type === "database") {
    showDatabase(frame);
  } else if (frame.type === "agent_state") {
    agents.setPresence(frame.host, frame.online, frame.since);
  } else if (frame.type === "stats" && typeof frame.host === "string") {
    agents.update(frame);
  }
}

new LiveSocket("/ws/stats/", { onFrame, onState });
new ChatPanel(document.getElementById("dashboard-chat-panel"), config.chatRoom);
setInterval(() => agents.tick(), 1000);

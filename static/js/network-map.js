// The network map: devices and hosts as nodes, neighbour links as edges, laid out by
// cytoscape.js and coloured live: nodes by state ("hosts" frames), links by the state and
// utilisation of the ports at their ends ("ports" frames of every device).
/* global cytoscape */
import { LiveSocket, showConnectionState } from "./live-socket.js";
import * as format from "./format.js";

const graph = JSON.parse(document.getElementById("map-graph").textContent);
const container = document.getElementById("network-map");
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const STATUS_COLOURS = () => ({
  up: css("--ok"), degraded: css("--warn"), down: css("--bad"), pending: css("--muted"),
  paused: css("--muted"), unknown: css("--line"),
});

// Utilisation to a link colour: calm below 50 %, warning to 80 %, then alarm.
function linkColour(edge) {
  if (edge.up === false) return css("--bad");
  const util = edge.util_pct;
  if (util == null) return css("--muted");
  return util >= 80 ? css("--bad") : util >= 50 ? css("--warn") : css("--ok");
}

// Per node, the latest state of each of its ports (from "ports" frames).
const portState = new Map();

function refreshEdge(edge) {
  const ends = Object.entries(edge.ports)
    .map(([node, port]) => portState.get(node)?.get(port))
    .filter(Boolean);
  if (ends.length) {
    edge.up = ends.every((end) => end.oper === "up");
    const loads = ends.map((end) => end.util_pct).filter((v) => v != null);
    edge.util_pct = loads.length ? Math.max(...loads) : null;
  }
}

function edgeStyle(edge) {
  return {
    width: 2 + Math.min(8, (edge.util_pct ?? 0) / 10),
    colour: linkColour(edge),
    dashed: edge.up === false ? "dashed" : "solid",
  };
}

function nodeLabel(id) {
  return graph.nodes.find((node) => node.id === id)?.label ?? id;
}

function renderLinks() {
  const body = document.querySelector("#links tbody");
  body.replaceChildren(...graph.edges.map((edge) => {
    const row = document.createElement("tr");
    row.dataset.edge = edge.id;
    const cells = [nodeLabel(edge.source), edge.ports[edge.source] ?? "–", nodeLabel(edge.target),
      edge.ports[edge.target] ?? "–", edge.up === false ? format.stateLabel("down") : format.percent(edge.util_pct)];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }));
}

if (container) {
  const colours = STATUS_COLOURS();
  const cy = cytoscape({
    container,
    elements: [
      ...graph.nodes.map((node) => ({ group: "nodes", data: { ...node, colour: colours[node.status] ?? colours.unknown } })),
      ...graph.edges.map((edge) => ({ group: "edges", data: { id: edge.id, source: edge.source, target: edge.target, ...edgeStyle(edge) } })),
    ],
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", color: css("--text"),
        "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, width: 26, height: 26 } },
      { selector: 'node[kind = "device"]', style: { shape: "round-rectangle", width: 34 } },
      { selector: 'node[kind = "unmonitored"]', style: { "border-width": 1, "border-style": "dashed", "border-color": css("--muted") } },
      // The root cause of what is DOWN stands out; what is only cut off behind it is dimmed.
      { selector: "node[?root_cause]", style: { "border-width": 4, "border-color": css("--text") } },
      { selector: "node[unreachable_via]", style: { opacity: 0.4 } },
      { selector: "edge", style: { width: "data(width)", "line-color": "data(colour)", "line-style": "data(dashed)", "curve-style": "bezier" } },
    ],
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 8000 },
    wheelSensitivity: 0.3,
  });
  cy.on("tap", "node", (event) => {
    const host = event.target.data("host");
    if (host) window.location.href = `/hosts/${encodeURIComponent(host)}/`;
  });
  const show = () => {
    container.dataset.nodes = cy.nodes().length;
    container.dataset.edges = cy.edges().length;
    renderLinks();
  };
  show();

  const socket = new LiveSocket("/ws/stats/", {
    onState(state, delay) {
      showConnectionState(document.getElementById("connection"), state, delay);
      if (state === "live") socket.send({ type: "watch", devices: true });
    },
    onFrame(frame) {
      if (frame.type === "hosts") {
        const now = STATUS_COLOURS();
        for (const host of frame.hosts) {
          const node = cy.getElementById(`h${host.id}`);
          if (node.nonempty()) node.data({ status: host.status, colour: now[host.status] ?? now.unknown });
        }
      } else if (frame.type === "ports") {
        const node = `h${frame.host}`;
        portState.set(node, new Map(frame.ports.map((port) => [port.name, port])));
        for (const edge of graph.edges.filter((e) => node in e.ports)) {
          refreshEdge(edge);
          cy.getElementById(edge.id).data(edgeStyle(edge));
        }
        renderLinks();
      }
    },
  });
}

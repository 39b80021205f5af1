// A WebSocket that reconnects with exponential back-off and reports its state.
// Code 4401 means the session is gone: the page goes to the login form instead.
import { gettext, interpolate } from "./i18n.js";

const MAX_DELAY_MS = 30000;

export class LiveSocket {
  constructor(path, { onFrame, onState }) {
    this.path = path;
    this.onFrame = onFrame;
    this.onState = onState;
    this.failures = 0;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.onState("connecting");
    const socket = new WebSocket(`${scheme}://${location.host}${this.path}`);
    this.socket = socket;
    socket.onopen = () => this.onState("live");
    socket.onmessage = (event) => {
      // Only a socket that delivers counts as recovered; one that opens and
      // drops at once keeps backing off.
      this.failures = 0;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        console.warn("ignoring a frame that is not JSON");
        return;
      }
      if (frame.type === "link") {
        // The server lost its message broker (Redis) and has it again: the socket stayed
        // open, but the page shows the pause and fills the gap as after a reconnect.
        this.onState(frame.live ? "live" : "paused");
        return;
      }
      this.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (event.code === 4401) {
        location.assign(`/accounts/login/?next=${encodeURIComponent(location.pathname)}`);
        return;
      }
      if (event.code === 4400 || event.code === 4404) {
        // The server refused what was asked for, or it no longer exists: retrying cannot help.
        this.onState("closed");
        return;
      }
      // Jitter spreads the reconnects of many dashboards after a server restart.
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** this.failures) * (0.8 + Math.random() * 0.4);
      this.failures += 1;
      this.onState("offline", delay);
      setTimeout(() => this.connect(), delay);
    };
  }

  send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }
}

export function showConnectionState(element, state, delayMs) {
  element.dataset.state = state;
  element.textContent =
    state === "live" ? gettext("live") :
    state === "connecting" ? gettext("connecting…") :
    state === "closed" ? gettext("closed") :
    state === "paused" ? gettext("paused · the server is reconnecting") :
    interpolate(gettext("offline · retrying in %(seconds)s s"), { seconds: Math.round(delayMs / 1000) });
}

// The /chat/<room>/ page.
import { ChatPanel } from "./chat.js";
import { showConnectionState } from "./live-socket.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const connection = document.getElementById("connection");
new ChatPanel(document.getElementById("chat"), config.room, {
  onState: (state, delay) => showConnectionState(connection, state, delay),
});

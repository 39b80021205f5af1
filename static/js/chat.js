// A chat room panel: history on join, live messages and presence, a form to send.
// Every piece of user text goes into the page as text, never as markup.
import { LiveSocket } from "./live-socket.js";
import * as format from "./format.js";
import { gettext, interpolate } from "./i18n.js";

const MAX_SHOWN = 200;

export class ChatPanel {
  constructor(root, room, { onState = () => {} } = {}) {
    this.root = root;
    this.list = root.querySelector(".chat-messages");
    this.presence = root.querySelector(".chat-presence");
    this.error = root.querySelector(".chat-error");
    this.form = root.querySelector(".chat-form");
    this.seen = new Set();
    // Sent but not yet confirmed saved (client id -> text): sent again after a reconnect.
    this.unsaved = new Map();
    this.nextId = 0;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = this.form.elements.text;
      if (input.value.trim() && this.post(input.value)) input.value = "";
    });
    this.socket = new LiveSocket(`/ws/chat/${encodeURIComponent(room)}/`, {
      onFrame: (frame) => this.onFrame(frame),
      onState,
    });
  }

  post(text, clientId = `${Date.now()}-${this.nextId++}`) {
    if (!this.socket.send({ type: "message", text, client_id: clientId })) return false;
    this.unsaved.set(clientId, text);
    return true;
  }

  onFrame(frame) {
    if (frame.type === "history") {
      this.form.elements.text.disabled = frame.archived;
      this.form.elements.text.placeholder = frame.archived ? gettext("This room is archived") : gettext("Message");
      frame.messages.forEach((message) => this.add(message));
      for (const [clientId, text] of [...this.unsaved]) this.post(text, clientId);
    } else if (frame.type === "saved") {
      frame.client_ids.forEach((clientId) => this.unsaved.delete(clientId));
    } else if (frame.type === "messages") {
      this.error.hidden = true;
      frame.messages.forEach((message) => this.add(message));
    } else if (frame.type === "presence") {
      this.presence.textContent = frame.users.length
        ? interpolate(gettext("here: %(users)s"), { users: frame.users.join(", ") })
        : "";
    } else if (frame.type === "error") {
      // A refused message is not sent again by itself: the error says why.
      (frame.client_ids || []).forEach((clientId) => this.unsaved.delete(clientId));
      this.error.textContent = frame.message;
      this.error.hidden = false;
    }
  }

  add(message) {
    if (this.seen.has(message.id)) return; // history after a reconnect repeats what is shown
    this.seen.add(message.id);
    const item = document.createElement("li");
    const meta = document.createElement("span");
    meta.className = "chat-meta";
    meta.textContent = `${format.timestamp(message.ts)} ${message.author}`;
    const text = document.createElement("span");
    text.className = "chat-text";
    text.textContent = message.text;
    item.append(meta, text);
    item.dataset.id = message.id;
    this.list.append(item);
    while (this.list.children.length > MAX_SHOWN) this.list.firstElementChild.remove();
    this.list.scrollTop = this.list.scrollHeight;
  }
}

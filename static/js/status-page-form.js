// The status page form: the slug follows the title until edited by hand, and a preview
// shows the page as its readers will see it, redrawn as the form changes.
import { gettext } from "./i18n.js";

const form = document.getElementById("status-page-form");
const data = JSON.parse(document.getElementById("status-preview-data").textContent);
const preview = document.querySelector(".page-preview");
const slug = form.elements.slug;
let slugByHand = slug.value !== "";

export function slugify(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
}

function checked(name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
}

function section(heading, hostIds) {
  const part = document.createElement("section");
  part.append(Object.assign(document.createElement("h4"), { textContent: heading }));
  const list = document.createElement("ul");
  for (const id of hostIds) {
    const host = data.hosts[id];
    if (!host) continue;
    const item = document.createElement("li");
    const state = Object.assign(document.createElement("span"), { className: "status", textContent: host.status.toUpperCase() });
    state.dataset.status = host.status;
    item.append(`${host.name} `, state);
    list.append(item);
  }
  if (!list.children.length) list.append(Object.assign(document.createElement("li"), { className: "muted", textContent: gettext("No hosts yet.") }));
  part.append(list);
  return part;
}

function redraw() {
  preview.querySelector(".preview-title").textContent = form.elements.title.value || gettext("Untitled");
  preview.querySelector(".preview-description").textContent = form.elements.description.value;
  const audience = form.querySelector('input[name="audience"]:checked')?.value;
  preview.querySelector(".preview-audience").textContent = {
    public: gettext("Public: anyone with the address reads it."),
    "signed-in": gettext("Signed-in people only."),
  }[audience] ?? gettext("Choose who may read it.");
  const sections = [];
  const hosts = checked("hosts");
  if (hosts.length) sections.push(section(form.elements.hosts_heading.value, hosts));
  for (const id of checked("tags")) sections.push(section(data.tags[id].name, data.tags[id].hosts));
  preview.querySelector(".preview-sections").replaceChildren(...sections);
}

form.elements.title.addEventListener("input", () => {
  if (!slugByHand) slug.value = slugify(form.elements.title.value);
});
slug.addEventListener("input", () => (slugByHand = slug.value !== ""));
form.addEventListener("input", redraw);
form.addEventListener("change", redraw);
redraw();

// Bulk actions on the hosts the grid shows (narrow it first with the state, tag and name
// filters): pause, resume, tag, maintenance, delete. Each says how many hosts it touches.
import { send } from "./config-requests.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { askForMaintenance } from "./maintenance.js";

const toolbar = document.querySelector(".grid-actions");

function shownIds() {
  return [...document.querySelectorAll("#hosts .tiles .tile")].filter((tile) => !tile.hidden && !tile.closest("[hidden]")).map((tile) => Number(tile.dataset.hostId));
}

function countText(count) {
  return interpolate(ngettext("%(count)s host shown", "%(count)s hosts shown", count), { count });
}

async function act(action) {
  const ids = shownIds();
  if (!ids.length) return;
  const url = toolbar.dataset.bulkUrl;
  if (action === "maintenance") {
    if (await askForMaintenance(url, { action, ids }, countText(ids.length))) window.location.reload();
    return;
  }
  const extra = {};
  if (action === "tag") {
    extra.tag = window.prompt(interpolate(gettext("Tag to add to the %(count)s hosts shown:"), { count: ids.length }))?.trim();
    if (!extra.tag) return;
  }
  if (action === "delete" && !window.confirm(interpolate(gettext("Delete the %(count)s hosts shown, their checks and results?"), { count: ids.length }))) return;
  const answer = await send(url, { action, ids, ...extra });
  if (!answer.ok) {
    window.alert(answer.body.errors?.tags ?? answer.body.error ?? gettext("That did not work."));
    return;
  }
  window.location.reload();
}

if (toolbar) {
  toolbar.hidden = false;
  for (const button of toolbar.querySelectorAll("button[data-bulk]")) button.addEventListener("click", () => act(button.dataset.bulk));
  const said = toolbar.querySelector(".shown-count");
  const update = () => (said.textContent = countText(shownIds().length));
  new MutationObserver(update).observe(document.querySelector("#hosts .tiles"), { subtree: true, childList: true, attributes: true, attributeFilter: ["hidden"] });
  update();
}

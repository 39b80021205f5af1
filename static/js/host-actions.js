// Pause, resume, clone and delete on a host's page: one POST each, then the page that follows.
import { gettext } from "./i18n.js";
import { askForMaintenance } from "./maintenance.js";

function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

const toolbar = document.querySelector(".host-actions");

async function act(button) {
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  button.disabled = true;
  const response = await fetch(`${toolbar.dataset.hostUrl}${button.dataset.hostAction}/`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/json" },
    body: "{}",
  });
  const body = await response.json().catch(() => ({}));
  button.disabled = false;
  if (!response.ok) {
    window.alert(body.error ?? gettext("That did not work."));
    return;
  }
  window.location.assign(body.url ?? window.location.href);
}

for (const button of toolbar?.querySelectorAll("[data-host-action]") ?? []) {
  button.addEventListener("click", () => act(button));
}

toolbar?.querySelector("[data-host-maintenance]")?.addEventListener("click", async () => {
  if (await askForMaintenance(`${toolbar.dataset.hostUrl}maintenance/`)) window.location.reload();
});

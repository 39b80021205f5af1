// The maintenance window dialog, shared by a host's page and the grid: how long, and why.
import { send } from "./config-requests.js";
import { gettext } from "./i18n.js";

const dialog = document.getElementById("maintenance-editor");

// Asks for the window, posts it to `url` with `extra` (the grid's ids); resolves true once saved.
export function askForMaintenance(url, extra = {}, forWhom = "") {
  if (!dialog) return Promise.resolve(false);
  const form = dialog.querySelector("form");
  form.reset();
  form.querySelector(".form-error").hidden = true;
  form.querySelector(".maintenance-for").textContent = forWhom;
  return new Promise((resolve) => {
    const submit = async (event) => {
      event.preventDefault();
      const answer = await send(url, { ...extra, minutes: Number(form.elements.minutes.value), reason: form.elements.reason.value });
      if (!answer.ok) {
        const box = form.querySelector(".form-error");
        box.textContent = answer.body.errors?.minutes ?? answer.body.error ?? gettext("Not saved.");
        box.hidden = false;
        return;
      }
      finish(true);
    };
    const cancel = () => finish(false);
    function finish(saved) {
      form.removeEventListener("submit", submit);
      form.querySelector("[data-action=cancel]").removeEventListener("click", cancel);
      dialog.close();
      resolve(saved);
    }
    form.addEventListener("submit", submit);
    form.querySelector("[data-action=cancel]").addEventListener("click", cancel);
    dialog.showModal();
  });
}

// Pause, resume, clone and delete on a host's page: one POST each, then the page that follows.
// "Test now" runs the host's saved checks once on a checks worker and lists the results.
import { trial } from "./config-requests.js";
import { gettext, interpolate } from "./i18n.js";
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

function resultText(result) {
  if (result.status === "down") return interpolate(gettext("DOWN: %(reason)s"), { reason: result.error });
  const latency = result.latency_ms === null ? "" : ` ${result.latency_ms.toFixed(1)} ms`;
  const loss = result.loss_pct === null ? "" : interpolate(gettext(", %(loss)s %% loss"), { loss: Math.round(result.loss_pct) });
  return `${gettext("UP")}${latency}${loss}`;
}

async function testNow(button) {
  const section = document.querySelector(".host-trial");
  const list = section.querySelector(".trial-results");
  const state = section.querySelector(".trial-state");
  list.replaceChildren();
  section.hidden = false;
  button.disabled = true;
  state.textContent = gettext("Running each check once on a checks worker…");
  const outcome = await trial(toolbar.dataset.testUrl, { id: Number(toolbar.dataset.hostId) });
  button.disabled = false;
  if (outcome.errors) {
    state.textContent = outcome.errors.error ?? outcome.errors.errors?.host?.__all__ ?? gettext("That did not work.");
    return;
  }
  if (outcome.timedOut) {
    state.textContent = gettext("No checks worker answered. Is one running?");
    return;
  }
  state.textContent = gettext("Results of one run; they are not stored.");
  outcome.results.forEach((result, index) => {
    const item = document.createElement("li");
    const status = Object.assign(document.createElement("strong"), { className: "status", textContent: resultText(result) });
    status.dataset.status = result.status;
    item.append(Object.assign(document.createElement("span"), { textContent: outcome.checks[index] ?? "" }), " ", status);
    list.append(item);
  });
}

const testButton = toolbar?.querySelector("[data-host-test]");
testButton?.addEventListener("click", () => testNow(testButton));

// JSON requests of the configuration dialogs: the session's CSRF token, and the answer's
// body whatever the status (errors come back as JSON too).
import { gettext, interpolate } from "./i18n.js";

export function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

export async function send(url, data, method = "POST") {
  const init = { method, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } };
  if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(data ?? {});
  }
  const response = await fetch(url, init);
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = { error: interpolate(gettext("The server answered %(status)s."), { status: response.status }) };
  }
  return { ok: response.ok, status: response.status, body };
}


const TRIAL_POLL_MS = 400;
const TRIAL_GIVE_UP_MS = 90_000;

// "Test now": queue the checks of `payload` for one run on a checks worker and wait for
// their results. Resolves to { results, checks: what each result is of } or { errors: the refusal's body } or { timedOut }.
export async function trial(testUrl, payload) {
  const started = await send(testUrl, payload);
  if (!started.ok) return { errors: started.body };
  const deadline = Date.now() + TRIAL_GIVE_UP_MS;
  while (Date.now() < deadline) {
    const answer = await send(started.body.url, null, "GET");
    if (answer.ok && answer.body.done) return { results: answer.body.results, checks: started.body.checks ?? [] };
    await new Promise((resolve) => setTimeout(resolve, TRIAL_POLL_MS));
  }
  return { timedOut: true };
}

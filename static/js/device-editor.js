// "Add device": an address and SNMP credentials (v2c community or v3 user); "Test" polls the
// device once on a checks worker and shows its name, description and port count; saving
// makes a host with an SNMP check, whose page then lists the ports.
import { send, trial } from "./config-requests.js";
import { gettext, interpolate } from "./i18n.js";

const dialog = document.getElementById("device-editor");
const form = dialog.querySelector("form");
const snmp = JSON.parse(document.getElementById("check-kinds").textContent).find((kind) => kind.name === "snmp");
const INTERVAL_S = 60;
let found = null; // what the last test learnt of the device

for (const name of ["auth_protocol", "priv_protocol"]) {
  const setting = snmp.settings.find((s) => s.name === name);
  for (const [value, label] of setting.choices) form.elements[name].append(new Option(label, value, false, value === setting.default));
}

function version() {
  return form.querySelector("input[name=snmp_version]:checked").value;
}

function showVersion() {
  for (const part of form.querySelectorAll("[data-version]")) part.hidden = part.dataset.version !== version();
}

function payload() {
  const value = (name) => form.elements[name].value.trim();
  const settings = { snmp_version: version(), port: Number(value("port")) || null };
  const names = version() === "2c" ? ["community"] : ["snmp_user", "auth_protocol", "auth_password", "priv_protocol", "priv_password"];
  for (const name of names) settings[name] = form.elements[name].value;
  const name = value("name") || found?.name || value("address");
  return { name, address: value("address"), tags: "", checks: [{ kind: "snmp", interval_s: INTERVAL_S, timeout_s: 5, settings }] };
}

function showError(body) {
  const box = form.querySelector(".form-error");
  const problems = [];
  for (const [name, message] of Object.entries(body.errors?.host ?? {})) problems.push(name === "__all__" ? message : `${name}: ${message}`);
  for (const fields of Object.values(body.errors?.checks ?? {})) problems.push(...Object.values(fields));
  box.textContent = problems.join(" ") || body.error || gettext("Not saved.");
  box.hidden = false;
}

async function test() {
  form.querySelector(".form-error").hidden = true;
  const section = form.querySelector(".trial");
  const state = section.querySelector(".trial-state");
  const facts = section.querySelector(".device-facts");
  section.hidden = false;
  facts.hidden = true;
  state.textContent = gettext("Asking the device, from a checks worker…");
  const outcome = await trial(dialog.dataset.testUrl, payload());
  if (outcome.errors) {
    state.textContent = "";
    showError(outcome.errors);
    return;
  }
  const [result] = outcome.results ?? [];
  if (!result) {
    state.textContent = gettext("No checks worker answered. Is one running?");
    return;
  }
  if (result.status === "down") {
    state.textContent = interpolate(gettext("No answer: %(reason)s"), { reason: result.error });
    return;
  }
  found = result.device;
  state.textContent = interpolate(gettext("It answered in %(ms)s ms."), { ms: result.latency_ms.toFixed(1) });
  facts.querySelector('[data-fact="name"]').textContent = found?.name || "–";
  facts.querySelector('[data-fact="description"]').textContent = found?.description || "–";
  facts.querySelector('[data-fact="ports"]').textContent = String(found?.ports ?? result.details.ports ?? "–");
  facts.hidden = false;
  if (!form.elements.name.value && found?.name) form.elements.name.placeholder = found.name;
}

async function save(event) {
  event.preventDefault();
  form.querySelector(".form-error").hidden = true;
  const answer = await send(dialog.dataset.createUrl, payload());
  if (!answer.ok) {
    showError(answer.body);
    return;
  }
  window.location.assign(answer.body.url);
}

form.addEventListener("change", showVersion);
form.addEventListener("submit", save);
form.querySelector("[data-action=test]").addEventListener("click", test);
form.querySelector("[data-action=cancel]").addEventListener("click", () => dialog.close());
for (const button of document.querySelectorAll("[data-open-device-editor]")) {
  button.hidden = false;
  button.addEventListener("click", () => {
    form.reset();
    found = null;
    form.querySelector(".trial").hidden = true;
    form.querySelector(".form-error").hidden = true;
    showVersion();
    dialog.showModal();
    form.elements.address.focus();
  });
}

// The "Add host" dialog: name, address, tags and checks, each kind showing only its own
// fields (drawn from the kinds' declarations in the "check-kinds" script), a quick-add line
// in the CSV syntax, "Test now" (one run on a checks worker, before saving), and saving.
import { send, trial } from "./config-requests.js";
import { gettext, interpolate } from "./i18n.js";

const dialog = document.getElementById("host-editor");
const form = dialog.querySelector("form");
const rows = form.querySelector(".check-rows");
const kinds = Object.fromEntries(JSON.parse(document.getElementById("check-kinds").textContent).map((k) => [k.name, k]));
let editing = null; // the id of the host being edited; null when adding
let rowNumber = 0;

function control(setting, value, id) {
  let input;
  if (setting.input === "bool") {
    input = Object.assign(document.createElement("input"), { type: "checkbox", checked: Boolean(value) });
  } else if (setting.input === "choice") {
    input = document.createElement("select");
    for (const [key, label] of setting.choices) input.append(new Option(label, key, false, key === value));
  } else {
    input = document.createElement("input");
    input.type = { int: "number", float: "number", secret: "password" }[setting.input] ?? "text";
    if (setting.input === "float") input.step = "any";
    if (setting.min !== null) input.min = setting.min;
    if (setting.max !== null) input.max = setting.max;
    input.value = value ?? "";
    input.autocomplete = setting.input === "secret" ? "new-password" : "off";
  }
  Object.assign(input, { id, name: setting.name });
  input.dataset.input = setting.input;
  return input;
}

function labelled(setting, value, row, secretSet) {
  const id = `check-${row}-${setting.name}`;
  const wrap = document.createElement("div");
  wrap.className = `field field-${setting.input}`;
  const label = Object.assign(document.createElement("label"), { htmlFor: id, textContent: setting.label });
  const input = control(setting, value, id);
  if (setting.input === "secret" && secretSet) input.placeholder = gettext("set; leave empty to keep it");
  const help = setting.help ? Object.assign(document.createElement("small"), { className: "muted", textContent: setting.help }) : null;
  const problem = Object.assign(document.createElement("small"), { className: "field-error error" });
  problem.dataset.errorFor = setting.name;
  if (setting.input === "bool") wrap.append(input, label, problem);
  else wrap.append(label, input, ...(help ? [help] : []), problem);
  return wrap;
}

const SCHEDULE = [
  { name: "interval_s", label: gettext("Every (s)"), input: "int", min: 5, max: 86400, choices: [] },
  { name: "timeout_s", label: gettext("Timeout (s)"), input: "float", min: 0.1, max: 60, choices: [] },
];

function addRow(check) {
  const kind = kinds[check.kind];
  const row = (rowNumber += 1);
  const item = document.createElement("li");
  item.className = "check-row";
  item.dataset.kind = kind.name;
  if (check.id) item.dataset.id = check.id;
  const head = document.createElement("div");
  head.className = "check-head";
  const title = Object.assign(document.createElement("h3"), { textContent: kind.label });
  const remove = Object.assign(document.createElement("button"), { type: "button", className: "link remove", textContent: gettext("Remove") });
  remove.setAttribute("aria-label", interpolate(gettext("Remove the %(kind)s check"), { kind: kind.label }));
  remove.addEventListener("click", () => item.remove());
  const kindProblem = Object.assign(document.createElement("small"), { className: "field-error error" });
  kindProblem.dataset.errorFor = "kind";
  head.append(title, remove, kindProblem);
  const fields = document.createElement("div");
  fields.className = "check-fields";
  for (const setting of SCHEDULE) fields.append(labelled(setting, check[setting.name] ?? (setting.name === "interval_s" ? 60 : 5), row));
  for (const setting of kind.settings) {
    const value = check.settings && setting.name in check.settings ? check.settings[setting.name] : setting.default;
    fields.append(labelled(setting, value, row, (check.secrets_set ?? []).includes(setting.name)));
  }
  item.append(head, fields);
  rows.append(item);
  return item;
}

function valueOf(input) {
  if (input.dataset.input === "bool") return input.checked;
  if (input.value.trim() === "") return input.dataset.input === "text" ? "" : null;
  if (input.dataset.input === "int" || input.dataset.input === "float") {
    const number = Number(input.value);
    return Number.isFinite(number) ? number : input.value;
  }
  return input.value;
}

function readRow(item) {
  const check = { kind: item.dataset.kind, settings: {} };
  if (item.dataset.id) check.id = Number(item.dataset.id);
  for (const input of item.querySelectorAll("input, select")) {
    if (input.name === "interval_s" || input.name === "timeout_s") check[input.name] = valueOf(input);
    else check.settings[input.name] = valueOf(input);
  }
  return check;
}

function readForm() {
  const value = (name) => form.elements[name].value.trim();
  const host = { name: value("name"), address: value("address"), tags: value("tags"), checks: [...rows.children].map(readRow) };
  if (editing !== null) host.id = editing;
  return host;
}

function clearErrors() {
  form.querySelector(".form-error").hidden = true;
  for (const problem of form.querySelectorAll(".field-error")) problem.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

function showError(text) {
  const box = form.querySelector(".form-error");
  box.textContent = text;
  box.hidden = false;
}

function markField(scope, name, message) {
  const input = scope.querySelector(`[name="${CSS.escape(name)}"]`);
  const slot = scope.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (input && slot) {
    input.setAttribute("aria-invalid", "true");
    slot.textContent = message;
    return true;
  }
  return false;
}

function showErrors(body) {
  const errors = body.errors ?? { host: { __all__: body.error ?? gettext("Not saved.") } };
  const general = [];
  for (const [name, message] of Object.entries(errors.host ?? {})) {
    const input = form.elements[name];
    if (!input?.setAttribute) {
      general.push(message);
      continue;
    }
    input.setAttribute("aria-invalid", "true");
    general.push(`${input.closest("label")?.firstChild?.textContent?.trim() ?? name}: ${message}`);
  }
  for (const name of ["tags", "quick"]) if (errors[name]) general.push(errors[name]);
  for (const [index, problems] of Object.entries(errors.checks ?? {})) {
    const item = rows.children[Number(index)];
    for (const [name, message] of Object.entries(problems)) {
      if (!item || !markField(item, name, message)) general.push(message);
    }
  }
  if (general.length || errors.checks) showError(general.join(" ") || gettext("Some checks need another look."));
}

function describeResult(check, result) {
  const kind = kinds[check.kind];
  const what = `${kind.label}${check.settings.port ? ` :${check.settings.port}` : ""}${check.settings.url ? ` ${check.settings.url}` : ""}`;
  if (result.status === "down") return [what, interpolate(gettext("DOWN: %(reason)s"), { reason: result.error })];
  const latency = result.latency_ms === null ? "" : ` ${result.latency_ms.toFixed(1)} ms`;
  const loss = result.loss_pct === null ? "" : interpolate(gettext(", %(loss)s %% loss"), { loss: Math.round(result.loss_pct) });
  return [what, `${gettext("UP")}${latency}${loss}`];
}

async function testNow() {
  clearErrors();
  const host = readForm();
  const section = form.querySelector(".trial");
  const list = section.querySelector(".trial-results");
  const state = section.querySelector(".trial-state");
  list.replaceChildren();
  section.hidden = false;
  state.textContent = gettext("Running each check once on a checks worker…");
  const outcome = await trial(dialog.dataset.testUrl, host);
  if (outcome.errors) {
    state.textContent = "";
    showErrors(outcome.errors);
    return;
  }
  if (outcome.timedOut) {
    state.textContent = gettext("No checks worker answered. Is one running?");
    return;
  }
  state.textContent = gettext("Results of one run; nothing is saved yet.");
  outcome.results.forEach((result, index) => {
    const [what, said] = describeResult(host.checks[index], result);
    const item = document.createElement("li");
    item.dataset.status = result.status;
    const status = Object.assign(document.createElement("strong"), { className: "status", textContent: said });
    status.dataset.status = result.status;
    item.append(Object.assign(document.createElement("span"), { textContent: what }), " ", status);
    list.append(item);
  });
}

async function quickAdd() {
  clearErrors();
  const line = form.elements.quick.value.trim();
  if (!line) return;
  const answer = await send(dialog.dataset.quickUrl, { line });
  if (!answer.ok) {
    showErrors(answer.body);
    return;
  }
  for (const check of answer.body.checks) addRow(check);
  form.elements.quick.value = "";
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  const host = readForm();
  const url = editing === null ? dialog.dataset.createUrl : `${dialog.dataset.hostUrl}config/`;
  const answer = await send(url, host);
  if (!answer.ok) {
    showErrors(answer.body);
    return;
  }
  dialog.close();
  document.dispatchEvent(new CustomEvent("host-saved", { detail: answer.body }));
  if (editing !== null) window.location.reload();
}

function reset() {
  form.reset();
  clearErrors();
  rows.replaceChildren();
  form.querySelector(".trial").hidden = true;
  editing = null;
}

function setTitle() {
  const title = dialog.querySelector("#host-editor-title");
  title.textContent = editing === null ? title.dataset.add : title.dataset.edit;
}

export function openNew() {
  reset();
  setTitle();
  dialog.showModal();
  form.elements.name.focus();
}

export async function openEdit(hostUrl) {
  reset();
  dialog.dataset.hostUrl = hostUrl;
  const answer = await send(`${hostUrl}config.json`, null, "GET");
  if (!answer.ok) return;
  const host = answer.body;
  editing = host.id;
  setTitle();
  form.elements.name.value = host.name;
  form.elements.address.value = host.address;
  form.elements.tags.value = host.tags.join(" ");
  for (const check of host.checks) addRow(check);
  dialog.showModal();
}

form.addEventListener("submit", save);
form.querySelector("[data-action=cancel]").addEventListener("click", () => dialog.close());
form.querySelector("[data-action=quick]").addEventListener("click", quickAdd);
form.elements.quick.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    quickAdd();
  }
});
form.querySelector("[data-action=add-check]").addEventListener("click", () => {
  const item = addRow({ kind: form.querySelector(".new-kind").value, settings: {} });
  item.querySelector("input, select")?.focus();
});
form.querySelector("[data-action=test]")?.addEventListener("click", testNow);
for (const button of document.querySelectorAll("[data-open-host-editor]")) {
  button.hidden = false;
  button.addEventListener("click", () => (button.dataset.openHostEditor ? openEdit(button.dataset.openHostEditor) : openNew()));
}

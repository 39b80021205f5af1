// The alert rule form: the threshold's unit follows the metric, the host or tag field follows
// the scope, and a preview lists what the rule would match now, as it is written.
import { gettext, interpolate, ngettext } from "./i18n.js";

const form = document.getElementById("rule-form");
const units = JSON.parse(document.getElementById("metric-units").textContent);
const unit = document.getElementById("threshold-unit");
const summary = form.querySelector(".preview-summary");
const list = form.querySelector(".preview-subjects");
const PREVIEW_DELAY_MS = 250;
let timer = null;

function showScopeFields() {
  const scope = form.elements.scope.value;
  for (const field of form.querySelectorAll("[data-scope-field]")) field.hidden = field.dataset.scopeField !== scope;
}

async function refreshPreview() {
  const values = new URLSearchParams();
  for (const name of ["metric", "comparison", "threshold", "scope", "host", "tag", "agent"]) values.set(name, form.elements[name].value);
  const response = await fetch(`${form.dataset.previewUrl}?${values}`, { credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  list.replaceChildren();
  if (!response.ok) {
    summary.textContent = body.error ?? gettext("No preview.");
    return;
  }
  summary.textContent = body.in_scope
    ? interpolate(ngettext("Matches %(matching)s of %(count)s in scope now.", "Matches %(matching)s of %(count)s in scope now.", body.in_scope), { matching: body.matching, count: body.in_scope })
    : gettext("Nothing in scope reports this metric yet.");
  for (const subject of body.subjects) {
    const item = document.createElement("li");
    item.dataset.matches = subject.matches;
    const value = `${Math.round(subject.value * 100) / 100}${body.unit && body.unit.length < 6 ? ` ${body.unit}` : ""}`;
    item.textContent = `${subject.name}: ${value}${subject.matches ? ` — ${gettext("matches")}` : ""}`;
    list.append(item);
  }
}

function changed() {
  unit.textContent = units[form.elements.metric.value] ?? "";
  showScopeFields();
  clearTimeout(timer);
  timer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
}

form.addEventListener("input", changed);
form.addEventListener("change", changed);
changed();

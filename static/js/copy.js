// Copy buttons: <button class="copy" data-copy="#selector"> copies that element's text (or value);
// the label says "Copied" for a moment, for sighted and screen-reader users alike.
import { gettext } from "./i18n.js";

const SAID_MS = 2000;

async function copy(button) {
  const source = document.querySelector(button.dataset.copy);
  const text = source?.value ?? source?.textContent ?? "";
  const label = button.dataset.label ?? button.textContent;
  button.dataset.label = label;
  try {
    await navigator.clipboard.writeText(text.trim());
    button.textContent = gettext("Copied");
  } catch {
    window.getSelection()?.selectAllChildren(source);  // no clipboard (plain http): selected to copy by hand
    button.textContent = gettext("Selected: press Ctrl+C");
  }
  setTimeout(() => (button.textContent = label), SAID_MS);
}

for (const button of document.querySelectorAll("button.copy[data-copy]")) button.addEventListener("click", () => copy(button));

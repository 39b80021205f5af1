// Translations from Django's JavaScript catalogue (/i18n/catalogue/<language>.js, a classic
// script every page loads before its modules); the English text where one is missing.
const catalogue = globalThis.django ?? {};

export const gettext = catalogue.gettext ?? ((text) => text);
export const ngettext = catalogue.ngettext ?? ((one, many, count) => (count === 1 ? one : many));

// The page's language (<html lang>), for Intl formats.
export const LOCALE = document.documentElement.lang || "en";

// Fills "%(name)s" in an already translated text: interpolate(gettext("up %(time)s"), { time }).
export function interpolate(text, values) {
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

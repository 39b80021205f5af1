// Human-readable values. Every function returns "–" for a missing value.
import { gettext, interpolate } from "./i18n.js";

const DASH = "–";
const missing = (value) => value === null || value === undefined || Number.isNaN(value);

export function percent(value) {
  return missing(value) ? DASH : `${value.toFixed(1)} %`;
}

export function number(value, digits = 2) {
  return missing(value) ? DASH : value.toFixed(digits);
}

function scaled(value, units, base) {
  let index = 0;
  while (Math.abs(value) >= base && index < units.length - 1) {
    value /= base;
    index += 1;
  }
  return `${value.toFixed(value >= 100 || index === 0 ? 0 : 1)} ${units[index]}`;
}

export function bytes(value) {
  return missing(value) ? DASH : scaled(value, ["B", "KiB", "MiB", "GiB", "TiB"], 1024);
}

export function bitsPerSecond(value) {
  return missing(value) ? DASH : scaled(value, ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"], 1000);
}

export function duration(seconds) {
  if (missing(seconds)) return DASH;
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days) return interpolate(gettext("%(days)s d %(hours)s h"), { days, hours });
  if (hours) return interpolate(gettext("%(hours)s h %(minutes)s min"), { hours, minutes });
  return minutes
    ? interpolate(gettext("%(minutes)s min"), { minutes })
    : interpolate(gettext("%(seconds)s s"), { seconds: Math.floor(seconds) });
}

export function milliseconds(value) {
  if (missing(value)) return DASH;
  return value < 10 ? `${value.toFixed(2)} ms` : value < 1000 ? `${value.toFixed(1)} ms` : `${(value / 1000).toFixed(2)} s`;
}

// A host's or check's state in words (shown beside its colour).
const STATE_LABELS = {
  up: gettext("UP"), degraded: gettext("DEGRADED"), down: gettext("DOWN"), paused: gettext("PAUSED"), pending: gettext("PENDING"),
  unknown: gettext("UNKNOWN"),
};

export function stateLabel(state) {
  return STATE_LABELS[state] ?? state;
}

// The reader's time zone: chosen on the profile page, else the browser's (the server puts it on <html>).
export const TIME_ZONE = document.documentElement.dataset.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
const PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short",
});

// "YYYY-MM-DD HH:MM:SS ZONE" in the reader's zone (sortable, unambiguous).
export function timestamp(seconds) {
  if (missing(seconds)) return DASH;
  const part = Object.fromEntries(PARTS.formatToParts(new Date(seconds * 1000)).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`;
}

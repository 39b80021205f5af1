// The page's theme: the user's choice (remembered in this browser), else the system's.
// A classic script in <head>, so the theme is set before the page first paints.
(function () {
  const KEY = "netmon-theme";
  const root = document.documentElement;
  const system = window.matchMedia("(prefers-color-scheme: dark)");
  // The catalogue (a classic script) loads before this one.
  const gettext = window.django?.gettext ?? ((text) => text);

  function apply() {
    const theme = localStorage.getItem(KEY) || (system.matches ? "dark" : "light");
    root.dataset.theme = theme;
    const toggle = document.getElementById("theme-toggle");
    toggle?.setAttribute("aria-pressed", String(theme === "dark"));
    // The state is also shown, for sighted users; screen readers hear it as "pressed".
    const shown = toggle?.querySelector(".toggle-state");
    if (shown) shown.textContent = theme === "dark" ? gettext("on") : gettext("off");
    window.dispatchEvent(new CustomEvent("themechange", { detail: theme }));
  }

  system.addEventListener("change", () => localStorage.getItem(KEY) || apply());

  // The server renders times in the browser's zone unless the user chose one (profile).
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // IANA names (letters, digits, "/", "_", "-", "+") are valid cookie values as they are.
  if (zone && !document.cookie.split("; ").includes(`tz=${zone}`)) {
    document.cookie = `tz=${zone}; path=/; max-age=31536000; samesite=lax`;
  }
  document.addEventListener("DOMContentLoaded", () => {
    // On a phone the top bar folds its links behind "Menu".
    const menu = document.getElementById("menu-toggle");
    menu?.addEventListener("click", () => {
      const open = menu.getAttribute("aria-expanded") !== "true";
      menu.setAttribute("aria-expanded", String(open));
      document.getElementById("topbar-menu").dataset.open = String(open);
    });
    document.getElementById("theme-toggle")?.addEventListener("click", () => {
      localStorage.setItem(KEY, root.dataset.theme === "dark" ? "light" : "dark");
      apply();
    });
    apply();
  });
  apply();
})();

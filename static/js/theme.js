// The page's theme: the user's choice (remembered in this browser), else the system's.
// A classic script in <head>, so the theme is set before the page first paints.
(function () {
  const KEY = "netmon-theme";
  const root = document.documentElement;
  const system = window.matchMedia("(prefers-color-scheme: dark)");

  function apply() {
    const theme = localStorage.getItem(KEY) || (system.matches ? "dark" : "light");
    root.dataset.theme = theme;
    document.getElementById("theme-toggle")?.setAttribute("aria-pressed", String(theme === "dark"));
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

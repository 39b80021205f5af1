// Arrow keys move focus between the tiles of a grid as they are drawn (up and down by a row),
// Home and End to the first and last; hidden (filtered out) tiles are skipped.
const MOVES = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];

function columns(tiles) {
  const top = tiles[0].getBoundingClientRect().top;
  const first = tiles.findIndex((tile) => tile.getBoundingClientRect().top > top + 1);
  return first === -1 ? tiles.length : first;
}

export function arrowKeys(container, selector) {
  container.addEventListener("keydown", (event) => {
    if (!MOVES.includes(event.key) || !event.target.matches?.(selector)) return;
    const tiles = [...container.querySelectorAll(selector)].filter((tile) => !tile.closest("[hidden]"));
    const at = tiles.indexOf(event.target);
    if (at === -1) return;
    const row = columns(tiles);
    const next = {
      ArrowLeft: at - 1, ArrowRight: at + 1, ArrowUp: at - row, ArrowDown: at + row, Home: 0, End: tiles.length - 1,
    }[event.key];
    if (next < 0 || next >= tiles.length) return;
    event.preventDefault();
    tiles[next].focus();
  });
}

// Arrow keys move focus between the tiles of a grid as they are drawn: left and right to the
// previous and next tile, up and down to the nearest tile in the row above or below, Home
// and End to the first and last. Hidden (filtered out) tiles are skipped.
const MOVES = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];

// The tile in the next row up or down whose left edge is nearest this one's.
function vertical(tiles, from, down) {
  const here = from.getBoundingClientRect();
  let best = null;
  let bestScore = Infinity;
  for (const tile of tiles) {
    const box = tile.getBoundingClientRect();
    const dy = down ? box.top - here.top : here.top - box.top;
    if (dy <= 1) continue;
    const score = dy * 100_000 + Math.abs(box.left - here.left);
    if (score < bestScore) [best, bestScore] = [tile, score];
  }
  return best;
}

export function arrowKeys(container, selector) {
  container.addEventListener("keydown", (event) => {
    if (!MOVES.includes(event.key) || !event.target.matches?.(selector)) return;
    const tiles = [...container.querySelectorAll(selector)].filter((tile) => !tile.closest("[hidden]"));
    const at = tiles.indexOf(event.target);
    if (at === -1) return;
    const next = {
      ArrowLeft: () => tiles[at - 1],
      ArrowRight: () => tiles[at + 1],
      ArrowUp: () => vertical(tiles, event.target, false),
      ArrowDown: () => vertical(tiles, event.target, true),
      Home: () => tiles[0],
      End: () => tiles.at(-1),
    }[event.key]();
    if (!next) return;
    event.preventDefault();
    next.focus();
  });
}

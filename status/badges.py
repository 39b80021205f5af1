"""Badges: small SVG images of a host's state or uptime, for wikis and READMEs."""

from html import escape

COLOURS = {  # white text on each is at least 4.5:1 (WCAG AA)
    "up": "#2b7a3b",
    "degraded": "#b04505",
    "down": "#b91c1c",
    "unknown": "#5c6670",
}
LABEL_COLOUR = "#3b4550"
CHAR_WIDTH = 6.8  # px per character at 11 px Verdana, near enough for short labels
PADDING = 10


def uptime_colour(pct: float | None) -> str:
    if pct is None:
        return COLOURS["unknown"]
    if pct >= 99.9:
        return COLOURS["up"]
    return COLOURS["degraded"] if pct >= 95 else COLOURS["down"]


def state_colour(state: str) -> str:
    return COLOURS.get(state, COLOURS["unknown"])


def svg(label: str, value: str, colour: str) -> str:
    left = round(len(label) * CHAR_WIDTH + PADDING)
    right = round(len(value) * CHAR_WIDTH + PADDING)
    width = left + right
    label, value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{label}: {value}"><title>{label}: {value}</title>'
        f'<rect width="{left}" height="20" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
        f'<text x="{left / 2}" y="14">{label}</text><text x="{left + right / 2}" y="14">{value}</text></g></svg>'
    )

"""Django set up once for the hooks that read the code's catalogues and schema."""

import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]


def setup() -> None:
    """Make the project importable and Django ready; the settings are the project's own."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "NetWorkMonitor.settings")
    django.setup()


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; `|` inside a cell is escaped so it cannot split the row."""

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(cell).replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(row) for row in rows)])

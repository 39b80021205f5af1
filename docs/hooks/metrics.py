"""MkDocs hook: reference/metrics.md, generated from the metric catalogue (core/contracts/metrics.py).

The page is made on every build, so a metric added to the catalogue is documented with no
other edit, and the page is never a committed file that could drift from the code.
"""

import sys
from pathlib import Path

from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django_setup import setup, table

PAGE = "reference/metrics.md"


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _export(metric) -> str:
    if metric.export is None:
        return ""
    labels = ", ".join(f'{key}="{value}"' for key, value in metric.export.labels)
    name = f"netmon_{metric.export.family}" + (f"{{{labels}}}" if labels else "")
    scale = f" times {metric.export.scale:g}" if metric.export.scale != 1 else ""
    return f"`{name}`{scale}"


def _metrics_table(metrics) -> str:
    rows = [
        [
            _code(m.name),
            m.unit,
            str(m.label),
            _code(".".join(m.path)),
            m.per,
            "yes" if m.history else "no",
            _export(m),
        ]
        for m in metrics
    ]
    return table(["metric", "unit", "what", "in the stats frame", "one series per", "history", "/metrics"], rows)


def _alerts_table(alert_metrics) -> str:
    rows = [
        [_code(m.name), m.subject, str(m.label), ", ".join(_code(name) for name in m.of), m.reduce if m.of else ""]
        for m in alert_metrics
    ]
    return table(["alert metric", "subject", "what", "from the frame metrics", "reduced by"], rows)


def render() -> str:
    setup()
    from django.utils import translation

    from core.contracts import metrics

    with translation.override("en"):
        families = table(
            ["family", "help"], [[f"`netmon_{name}`", help_text] for name, help_text in metrics.FAMILIES.items()]
        )
        return "\n\n".join(
            [
                "# Metrics",
                "Every metric the product names, generated from the catalogue in `core/contracts/metrics.py`: "
                "history, alert rules, `/metrics` and the dashboard all read it. A `*` in a frame path "
                "stands for every key at that level (an interface, a mount, a TCP state), which becomes "
                "the series label. `times` gives the factor from the stored unit to the Prometheus one.",
                "## Agent metrics (from stats frames)",
                _metrics_table(metrics.FRAME_METRICS),
                "## Check metrics (from check results)",
                _metrics_table(metrics.CHECK_METRICS),
                "## Device port metrics (from SNMP polls)",
                _metrics_table(metrics.PORT_METRICS),
                "## What alert rules watch",
                "An agent metric adds up its frame metrics per label (loopback left out), then "
                "reduces the labels; host metrics come from the host's checks.",
                _alerts_table(metrics.ALERT_METRICS),
                "## Prometheus families",
                families,
            ]
        )


def on_files(files, config):
    files.append(File.generated(config, PAGE, content=render() + "\n"))
    return files

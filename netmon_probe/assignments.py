"""A probe's assignments as it runs them: each check with its interval, and the destination policy."""

from dataclasses import dataclass

from netmon_probe.checks.core import CheckSpec
from netmon_probe.checks.policy import Destinations


@dataclass(frozen=True)
class Assignment:
    spec: CheckSpec  # `due` is set per run
    interval_s: float


def parse(document: dict) -> tuple[list[Assignment], Destinations]:
    """The checks and the policy of an unsealed document; a check that does not fit is left out."""
    assignments = []
    for check in document.get("checks", []):
        try:
            spec = CheckSpec(
                int(check["id"]), int(check["host_id"]), str(check["kind"]), str(check["address"]),
                float(check["timeout_s"]), 0.0, dict(check["options"]),
            )  # fmt: skip
            assignments.append(Assignment(spec, float(check["interval_s"])))
        except (KeyError, TypeError, ValueError):
            continue
    return assignments, Destinations(document.get("deny", []))

"""Alert rules as pure functions: the state machine and the threshold index.

No database and no clock here: everything is passed in, so each piece is tested directly.
"""

import bisect
import operator
from collections import defaultdict
from dataclasses import dataclass

OK, PENDING, FIRING, RESOLVED = "ok", "pending", "firing", "resolved"
COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


@dataclass(frozen=True)
class RuleSpec:
    id: int
    metric: str
    comparison: str
    threshold: float
    recovery: float
    for_seconds: float


@dataclass(frozen=True)
class Transition:
    rule_id: int
    subject: str
    label: str
    kind: str  # "firing" or "resolved"
    value: float
    at: float


@dataclass(frozen=True)
class State:
    state: str = OK
    since: float = 0.0  # when the current state began (pending: when the breach began)
    value: float | None = None  # the reading that entered this state


def breached(rule: RuleSpec, value: float) -> bool:
    return COMPARE[rule.comparison](value, rule.threshold)


def recovered(rule: RuleSpec, value: float) -> bool:
    """Past the recovery threshold, on the good side (hysteresis: a firing alert does not flap)."""
    return not COMPARE[rule.comparison](value, rule.recovery)


def step(rule: RuleSpec, current: State, value: float | None, now: float) -> tuple[State, str | None]:
    """The next state for one reading, and the transition that must be announced ("firing",
    "resolved") or None. A missing reading changes nothing."""
    if value is None:
        return current, None
    # Unchanged states are returned as they are: this runs for every active rule on every reading.
    if current.state == FIRING:
        if recovered(rule, value):
            return State(RESOLVED, now, value), RESOLVED
        return current, None
    if not breached(rule, value):
        return (current if current.state in (OK, RESOLVED) else State(OK, now, value)), None
    started = current.since if current.state == PENDING else now
    if now - started >= rule.for_seconds:
        return State(FIRING, now, value), FIRING
    return (current if current.state == PENDING else State(PENDING, started, value)), None


class RuleIndex:
    """For one subject, which rules a reading breaches, without looking at every rule.

    Rules are kept per (metric, comparison), sorted by threshold: for ">" rules a
    value breaches exactly those with a threshold below it, a prefix found by
    bisection. 1,000 rules cost a few comparisons per metric, not 1,000.
    """

    def __init__(self, rules: list[RuleSpec]) -> None:
        groups: dict[tuple[str, str], list[RuleSpec]] = defaultdict(list)
        for rule in rules:
            groups[rule.metric, rule.comparison].append(rule)
        # metric -> [(comparison, sorted thresholds, rules in that order)]
        self.by_metric: dict[str, list[tuple[str, list[float], list[RuleSpec]]]] = defaultdict(list)
        for (metric, comparison), members in groups.items():
            members.sort(key=lambda r: r.threshold)
            self.by_metric[metric].append((comparison, [r.threshold for r in members], members))
        self.metrics = set(self.by_metric)

    def breached(self, metric: str, value: float) -> list[RuleSpec]:
        found = []
        for comparison, thresholds, rules in self.by_metric.get(metric, ()):
            if comparison == ">":
                found += rules[: bisect.bisect_left(thresholds, value)]
            elif comparison == ">=":
                found += rules[: bisect.bisect_right(thresholds, value)]
            elif comparison == "<":
                found += rules[bisect.bisect_right(thresholds, value) :]
            else:
                found += rules[bisect.bisect_left(thresholds, value) :]
        return found

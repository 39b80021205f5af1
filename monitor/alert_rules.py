"""Alert rules as pure functions: the state machine, the threshold index, metric extraction.

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


# --- readings ------------------------------------------------------------------------


def agent_readings(frame: dict) -> dict[str, float]:
    """The agent metrics of one stats frame (missing parts are left out)."""
    readings = {}
    if (cpu := frame.get("cpu", {}).get("percent")) is not None:
        readings["cpu_percent"] = cpu
    if (mem := frame.get("mem", {}).get("percent")) is not None:
        readings["mem_percent"] = mem
    mounts = frame.get("disk", {}).get("mounts", {})
    if mounts:
        readings["disk_percent"] = max(m["percent"] for m in mounts.values())
    nics = [nic for name, nic in frame.get("net", {}).items() if name != "lo"]
    if nics and all(nic.get("rx_bps") is not None for nic in nics):
        readings["iface_errors_ps"] = sum(nic["rx_errors_ps"] + nic["tx_errors_ps"] for nic in nics)
        readings["iface_drops_ps"] = sum(nic["rx_drops_ps"] + nic["tx_drops_ps"] for nic in nics)
        readings["throughput_bps"] = max((nic["rx_bps"] + nic["tx_bps"]) * 8 for nic in nics)
    return readings


def host_readings(status: str, latencies: list[float], losses: list[float], cert_days: list[int]) -> dict[str, float]:
    """The host metrics from its checks' latest results."""
    readings = {"host_down": 1.0 if status == "down" else 0.0}
    if latencies:
        readings["check_latency_ms"] = max(latencies)
    if losses:
        readings["loss_pct"] = max(losses)
    if cert_days:
        readings["cert_days_left"] = float(min(cert_days))
    return readings

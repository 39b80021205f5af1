"""Alert rules on network events as pure functions: which events a rule counts, and when the
count within its window fires it or a clearing event resolves it.

No database and no clock: the evaluator (alerts.event_evaluator) passes everything in.
"""

import re
from collections import deque
from dataclasses import dataclass, field

from alerts.rules import FIRING, RESOLVED


@dataclass(frozen=True)
class EventRuleSpec:
    id: int
    count: int  # this many matching events within window_s fire the rule
    window_s: float
    max_severity: int | None = None  # the event's severity or graver (a lower number); None: any
    trap_name: str = ""  # part of the trap's name, any case; "": any event
    pattern: re.Pattern | None = None  # searched in the text
    clearing_trap_name: str = ""  # an event whose trap name holds this resolves the alert


@dataclass(frozen=True)
class EventFacts:
    """What a rule reads of one event."""

    ts: float
    severity: int
    trap_name: str
    text: str


def _named(trap_name: str, part: str) -> bool:
    return bool(part) and part.lower() in trap_name.lower()


def matches(rule: EventRuleSpec, event: EventFacts) -> bool:
    if rule.max_severity is not None and event.severity > rule.max_severity:
        return False
    if rule.trap_name and not _named(event.trap_name, rule.trap_name):
        return False
    return rule.pattern is None or rule.pattern.search(event.text) is not None


def clears(rule: EventRuleSpec, event: EventFacts) -> bool:
    return _named(event.trap_name, rule.clearing_trap_name)


@dataclass
class Window:
    """One rule about one subject: the matching events' times within the window, and whether it fires."""

    times: deque = field(default_factory=deque)
    firing: bool = False


def step(rule: EventRuleSpec, window: Window, event: EventFacts) -> str | None:
    """Feed one event (in time order); returns "firing", "resolved" or None."""
    if clears(rule, event):
        window.times.clear()
        if window.firing:
            window.firing = False
            return RESOLVED
        return None
    if not matches(rule, event):
        return None
    window.times.append(event.ts)
    while window.times and window.times[0] <= event.ts - rule.window_s:
        window.times.popleft()
    if len(window.times) >= rule.count and not window.firing:
        window.firing = True
        return FIRING
    return None

"""Event alert rules as pure functions: matching, counting within a window, clearing."""

import re

from alerts.event_rules import EventFacts, EventRuleSpec, Window, matches, step


def event(ts: float, severity: int = 5, trap: str = "", text: str = "") -> EventFacts:
    return EventFacts(ts, severity, trap, text)


def test_a_rule_matches_on_severity_trap_name_and_pattern():
    rule = EventRuleSpec(1, 1, 60, max_severity=4, trap_name="linkdown", pattern=re.compile(r"eth\d"))
    assert matches(rule, event(0, 4, "IF-MIB::linkDown", "ifDescr=eth1"))
    assert not matches(rule, event(0, 5, "IF-MIB::linkDown", "ifDescr=eth1"))  # not grave enough
    assert not matches(rule, event(0, 3, "IF-MIB::linkUp", "ifDescr=eth1"))
    assert not matches(rule, event(0, 3, "IF-MIB::linkDown", "ifDescr=lo"))


def test_five_failures_within_a_minute_fire_once_and_older_ones_do_not_count():
    rule = EventRuleSpec(1, 5, 60, pattern=re.compile("authentication failure"))
    window = Window()
    kinds = [step(rule, window, event(t, text="authentication failure")) for t in (0, 10, 70, 80, 90, 100)]
    assert kinds == [None] * 6  # at 100 s only 4 fall within the minute: 70, 80, 90, 100
    assert step(rule, window, event(110, text="authentication failure")) == "firing"
    assert step(rule, window, event(111, text="authentication failure")) is None  # fires once


def test_a_clearing_event_resolves_a_firing_alert_only():
    rule = EventRuleSpec(1, 1, 60, trap_name="linkDown", clearing_trap_name="linkUp")
    window = Window()
    assert step(rule, window, event(0, trap="IF-MIB::linkUp")) is None
    assert step(rule, window, event(1, trap="IF-MIB::linkDown")) == "firing"
    assert step(rule, window, event(2, trap="IF-MIB::linkUp")) == "resolved"
    assert step(rule, window, event(3, trap="IF-MIB::linkDown")) == "firing"

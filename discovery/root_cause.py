"""Cause before symptom: which DOWN nodes are the cause, and which are only cut off behind it.

A DOWN node is a cause when at least one of its parents is still reachable (up, or
reachable itself): something between that parent and it failed. A DOWN node all of
whose parents are cut off (DOWN or behind a DOWN node) is held as "unreachable via" the
cause it is behind, and its alert is not sent. A node whose own check says it is up is
reachable whatever its parents say: a result beats a derived dependency.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from discovery.dependencies import SERVER


@dataclass
class Decision:
    causes: dict = field(default_factory=dict)  # cause -> how many DOWN nodes are held behind it
    held: dict = field(default_factory=dict)  # held node -> the cause it is behind

    def behind(self, cause) -> list:
        return [node for node, via in self.held.items() if via == cause]


def decide(found: Mapping, walk: Iterable, down: set) -> Decision:
    """`found`: node -> parents (dependencies.parents), `walk`: dependencies.order(found),
    `down`: the nodes whose latest result is DOWN."""
    decision = Decision()
    cut_off: dict = {}  # node -> the cause that cuts it off
    for node in walk:
        if node not in down or node == SERVER:
            continue
        above = found.get(node, ())
        if above and all(parent in cut_off for parent in above):
            cause = cut_off[above[0]]  # behind several cut-off parents: the first one's cause names it
            cut_off[node] = decision.held[node] = cause
            decision.causes[cause] += 1
        else:
            cut_off[node] = node
            decision.causes[node] = 0
    # DOWN nodes with no path to the server at all are causes of their own.
    for node in down - set(cut_off) - {SERVER}:
        decision.causes[node] = 0
    return decision

"""Stream entries set aside instead of written: kept for admins to see, counted per agent and reason.

An entry the intake refuses (stats.frame_checks) or cannot write is saved here in the
same transaction as the agent's stream position, so it is acknowledged like any other
entry: a restarted ingest does not read it again, and it stops nothing behind it.
"""

import logging
from collections import Counter
from dataclasses import dataclass

from django.db.models import F

from stats.frame_checks import Refusal
from stats.models import Agent, RejectedCount, RejectedFrame

logger = logging.getLogger(__name__)

TEXT_KEPT = 2000  # characters of the entry kept: enough to see what was sent, not a way to fill the database


@dataclass(frozen=True)
class SetAside:
    agent: str
    entry_id: str
    refusal: Refusal
    text: str


def save(entries: list[SetAside], agents: dict[str, Agent]) -> None:
    """Keep `entries` (their agents in `agents`), count them, and drop each agent's oldest beyond the newest kept."""
    if not entries:
        return
    RejectedFrame.objects.bulk_create(
        RejectedFrame(agent=agents[entry.agent], entry_id=entry.entry_id, reason=entry.refusal.reason,
                      detail=entry.refusal.detail[:300], text=entry.text[:TEXT_KEPT])
        for entry in entries
    )  # fmt: skip
    counts = Counter((entry.agent, entry.refusal.reason) for entry in entries)
    _count({(agents[name], reason): count for (name, reason), count in counts.items()})
    for (name, reason), count in counts.items():
        logger.warning("set aside %d entries of agent %r: %s", count, name, reason)
    for name in {entry.agent for entry in entries}:
        of_agent = RejectedFrame.objects.filter(agent=agents[name])
        kept = list(of_agent.values_list("pk", flat=True)[: RejectedFrame.KEEP_PER_AGENT])
        of_agent.exclude(pk__in=kept).delete()


def add_counts(dropped: dict[str, int], reason: str) -> None:
    """Count entries dropped without being kept (agent name -> how many), e.g. trimmed over a stream's cap."""
    agents = {name: Agent.objects.get_or_create(name=name)[0] for name in dropped}  # rare: one query each is fine
    _count({(agents[name], reason): count for name, count in dropped.items()})


def _count(counts: dict[tuple[Agent, str], int]) -> None:
    """Add to each (agent, reason)'s count, making the rows that are not there yet."""
    RejectedCount.objects.bulk_create(
        [RejectedCount(agent=agent, reason=reason) for agent, reason in counts], ignore_conflicts=True
    )
    for (agent, reason), count in counts.items():
        RejectedCount.objects.filter(agent=agent, reason=reason).update(count=F("count") + count)


def counts() -> dict[tuple[str, str], int]:
    """(agent name, reason) -> entries set aside."""
    rows = RejectedCount.objects.values_list("agent__name", "reason", "count")
    return {(name, reason): count for name, reason, count in rows}

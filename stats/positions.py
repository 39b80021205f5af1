"""Each agent's stream position (and last seen) moved in the intake's write transaction, fenced.

One statement for the whole batch, executed for every agent at once (executemany): an ORM
update per agent cost the ingest about a seventh of its time at 500 agents. Only when fewer
rows moved than asked is each agent that did not move looked at on its own, as before.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from stats.history import sql
from stats.models import Agent


class StalePosition(Exception):
    """Another process wrote an agent's stream between this write's read and its update: write again."""


@dataclass(frozen=True)
class Move:
    agent: Agent  # as read in the write's transaction: its position is the one expected
    position: str  # the id of the last entry written
    last_ts: float | None  # the newest frame's time; None when none of the entries was a frame

    @property
    def last_seen(self) -> datetime | None:
        return None if self.last_ts is None else datetime.fromtimestamp(self.last_ts, UTC)


def advance(moves: list[Move], fences: dict[str, int] | None) -> set[str]:
    """Move the agents' positions (in the current transaction); returns the agents left out because
    another process holds their stream now (its row has a newer fencing token).

    `fences`: agent -> this process's lease token (stats.shards); None when one process reads
    every stream (tests, tools). Raises StalePosition when an agent's row moved since it was read.
    """
    seen = [move for move in moves if move.last_ts is not None]
    unseen = [move for move in moves if move.last_ts is None]  # last seen stays as it is: no frame came
    moved = sum(_update(part, fences, with_seen=part is seen) for part in (seen, unseen) if part)
    if fences is None or moved == len(moves):
        return set()
    return _left_out(moves, fences)


def _update(moves: list[Move], fences: dict[str, int] | None, with_seen: bool) -> int:
    """One UPDATE run for every move; returns the rows it changed."""
    changes = ["stream_position"] + ["last_seen"] * with_seen + ["ingest_fence"] * (fences is not None)
    where = "id = %s" + (" AND ingest_fence <= %s AND stream_position = %s" if fences is not None else "")
    adapt = connection.ops.adapt_datetimefield_value
    params = []
    for move in moves:
        row = [move.position] + [adapt(move.last_seen)] * with_seen
        if fences is None:
            params.append([*row, move.agent.pk])
            continue
        token = fences.get(move.agent.name, 0)
        params.append([*row, token, move.agent.pk, token, move.agent.stream_position])
    statement = (
        f"UPDATE {sql.quoted(Agent._meta.db_table)} SET {', '.join(f'{sql.quoted(c)} = %s' for c in changes)} "
        f"WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)
        return cursor.rowcount


def _left_out(moves: list[Move], fences: dict[str, int]) -> set[str]:
    """Fewer rows moved than asked (rare): each agent that did not move, fenced out or raced."""
    fenced_out = set()
    for move in moves:
        token = fences.get(move.agent.name, 0)
        rows = Agent.objects.filter(pk=move.agent.pk)
        if rows.filter(stream_position=move.position, ingest_fence=token).exists():
            continue  # moved (only this process holds this token)
        if rows.filter(ingest_fence__gt=token).exists():
            fenced_out.add(move.agent.name)  # a newer owner: its writes stand, this one's are dropped
            continue
        raise StalePosition(move.agent.name)
    return fenced_out

"""Who is on call when: rotations, layers and overrides, as pure functions of time.

A rotation hands off at its handoff time on the wall clock of its zone, every
`length_days` days from its first day, going through its participants in order: across
a daylight-saving change the handoff stays at 09:00 local time, so that shift is an hour
shorter or longer. A handoff time that does not exist on a spring-forward day (02:30 in
a zone that jumps from 02:00 to 03:00) happens when the clock reaches it after the jump.

A schedule stacks rotations in layers: the highest layer with someone on call wins, and
an override ("I take Saturday") beats every layer while it lasts.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Rotation:
    participants: tuple[int, ...]  # user ids, in turn
    first_day: date
    handoff: time
    zone: str
    length_days: int = 7
    layer: int = 0


@dataclass(frozen=True)
class Override:
    user: int
    start: datetime  # aware
    end: datetime


@dataclass(frozen=True)
class Shift:
    user: int
    start: datetime  # aware, UTC
    end: datetime


def handoff_at(rotation: Rotation, day: date) -> datetime:
    """The instant of the handoff on `day` (a day of any shift), in UTC."""
    local = datetime.combine(day, rotation.handoff, tzinfo=ZoneInfo(rotation.zone))
    return local.astimezone(ZoneInfo("UTC"))


def shift_index(rotation: Rotation, at: datetime) -> int | None:
    """How many handoffs have passed at `at` (0: the first participant's first shift); None before it starts."""
    day = at.astimezone(ZoneInfo(rotation.zone)).date()
    if handoff_at(rotation, day) > at:
        day -= timedelta(days=1)  # still the shift that began at the previous day's handoff
    days = (day - rotation.first_day).days
    return None if days < 0 or not rotation.participants else days // rotation.length_days


def rotation_on_call(rotation: Rotation, at: datetime) -> int | None:
    index = shift_index(rotation, at)
    return None if index is None else rotation.participants[index % len(rotation.participants)]


def on_call(rotations: list[Rotation], overrides: list[Override], at: datetime) -> int | None:
    """The user on call at `at`: the latest override covering it, else the highest layer's."""
    for override in reversed(overrides):
        if override.start <= at < override.end:
            return override.user
    for rotation in sorted(rotations, key=lambda r: -r.layer):
        if (user := rotation_on_call(rotation, at)) is not None:
            return user
    return None


def handoffs_between(rotation: Rotation, start: datetime, end: datetime) -> list[datetime]:
    """Every handoff instant of `rotation` in [start, end)."""
    zone = ZoneInfo(rotation.zone)
    day = max(start.astimezone(zone).date() - timedelta(days=1), rotation.first_day)
    offset = (day - rotation.first_day).days % rotation.length_days
    if offset:
        day += timedelta(days=rotation.length_days - offset)
    instants = []
    while (instant := handoff_at(rotation, day)) < end:
        if instant >= start:
            instants.append(instant)
        day += timedelta(days=rotation.length_days)
    return instants


def shifts(rotations: list[Rotation], overrides: list[Override], start: datetime, end: datetime) -> list[Shift]:
    """Who is on call from `start` to `end`, as unbroken shifts (overrides and layers applied)."""
    edges = {start, end}
    for rotation in rotations:
        edges.update(handoffs_between(rotation, start, end))
    for override in overrides:
        edges.update(moment for moment in (override.start, override.end) if start < moment < end)
    ordered = sorted(edges)
    found: list[Shift] = []
    for begin, finish in pairwise(ordered):
        user = on_call(rotations, overrides, begin)
        if user is None:
            continue
        if found and found[-1].user == user and found[-1].end == begin:
            found[-1] = Shift(user, found[-1].start, finish)
        else:
            found.append(Shift(user, begin, finish))
    return found

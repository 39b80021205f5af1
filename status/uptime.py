"""Uptime arithmetic. Pure functions over tallies of slot seconds, tested directly.

Definition (also in docs/features/status-pages.md):
- Each check result stands for one slot of its check: `interval_s` seconds in the
  result's state. UP and DEGRADED slots are up (the target answered); DOWN slots are
  down. A result inside a maintenance window counts as maintenance.
- Uptime % = (up + degraded) / (up + degraded + down). Maintenance is left out of both.
- Time inside the period without a result (a stopped worker, a missed slot) is unknown:
  it counts neither as up nor as down, and is reported as its own share. Time before a
  check's first result is not part of its period.
- A host's figures add up its checks' slots; a period's figures add up its hours. Each
  hour belongs to the local day (of the chosen time zone) in which it starts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

UP, DEGRADED, DOWN = "up", "degraded", "down"
HOUR = 3600
DAY = 86_400


@dataclass(frozen=True)
class Tally:
    """Seconds of slots by state, and the latencies measured in them."""

    up: float = 0.0
    degraded: float = 0.0
    down: float = 0.0
    maintenance: float = 0.0
    latency_ms_sum: float = 0.0
    latency_count: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.up + other.up,
            self.degraded + other.degraded,
            self.down + other.down,
            self.maintenance + other.maintenance,
            self.latency_ms_sum + other.latency_ms_sum,
            self.latency_count + other.latency_count,
        )

    def __neg__(self) -> Tally:
        return Tally(*(-value for value in astuple(self)))

    @property
    def known(self) -> float:
        return self.up + self.degraded + self.down

    @property
    def uptime_pct(self) -> float | None:
        """None when no slot of the period has a known state."""
        return None if self.known <= 0 else 100.0 * (self.up + self.degraded) / self.known

    @property
    def latency_ms(self) -> float | None:
        return self.latency_ms_sum / self.latency_count if self.latency_count else None


def slot(status: str, seconds: float, in_maintenance: bool, latency_ms: float | None) -> Tally:
    """The tally of one result: its slot's seconds in its state."""
    latency = {"latency_ms_sum": latency_ms, "latency_count": 1} if latency_ms is not None else {}
    if in_maintenance:
        return Tally(maintenance=seconds, **latency)
    if status not in (UP, DEGRADED, DOWN):
        raise ValueError(f"a result is up, degraded or down, not {status!r}")
    return Tally(**{status: seconds}, **latency)


@dataclass(frozen=True)
class Period:
    """What is known of a stretch of time: the tally, and how long it was watched."""

    tally: Tally
    watched_s: float  # the period's length times the checks watching it

    def __add__(self, other: Period) -> Period:
        return Period(self.tally + other.tally, self.watched_s + other.watched_s)

    @property
    def unknown_s(self) -> float:
        return max(0.0, self.watched_s - self.tally.known - self.tally.maintenance)

    @property
    def unknown_pct(self) -> float | None:
        return None if self.watched_s <= 0 else 100.0 * self.unknown_s / self.watched_s

    @property
    def uptime_pct(self) -> float | None:
        return self.tally.uptime_pct


EMPTY = Period(Tally(), 0.0)


def watched(start: float, end: float, since: float | None) -> float:
    """Seconds of [start, end) after `since` (a check's first result); 0 before it."""
    if since is None:
        return 0.0
    return max(0.0, end - max(start, since))


def period(hours: Mapping[int, Tally], start: float, end: float, since: float | None) -> Period:
    """One check's period [start, end): its hours that start inside, and the time it watched."""
    tally = sum((t for hour, t in hours.items() if start <= hour < end), Tally())
    return Period(tally, watched(start, end, since))


Span = tuple[date, float, float]  # a period's first local day, its start and end (unix s)


def local_days(end: float, days: int, zone: ZoneInfo) -> list[Span]:
    """The last `days` local days up to the one holding `end`, oldest first.

    Days follow the zone's clock, so a day with a DST change lasts 23 or 25 hours.
    """
    today = datetime.fromtimestamp(end, zone).date()
    return local_spans(today - timedelta(days=days - 1), today + timedelta(days=1), "day", zone)


def local_spans(first: date, stop: date, grain: str, zone: ZoneInfo) -> list[Span]:
    """Calendar days, ISO weeks (from Monday) or months of `zone` covering [first, stop)."""
    if grain == "week":
        first -= timedelta(days=first.weekday())
    elif grain == "month":
        first = first.replace(day=1)
    elif grain != "day":
        raise ValueError(f"a grain is day, week or month, not {grain!r}")
    spans = []
    while first < stop:
        following = _next(first, grain)
        spans.append((first, _midnight(first, zone), _midnight(following, zone)))
        first = following
    return spans


def _next(day: date, grain: str) -> date:
    if grain == "day":
        return day + timedelta(days=1)
    if grain == "week":
        return day + timedelta(days=7)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _midnight(day: date, zone: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def bucketed(hours: Mapping[int, Tally], since: float | None, now: float, spans: list[Span]) -> list[Period]:
    """One check's periods over `spans` (in order, not overlapping); none runs past `now`.

    One pass over the hours: each goes to the span in which it starts.
    """
    starts = [start for _, start, _ in spans]
    tallies = [Tally()] * len(spans)
    for hour, tally in hours.items():
        index = bisect_right(starts, hour) - 1
        if index >= 0 and hour < spans[index][2]:
            tallies[index] = tallies[index] + tally
    return [
        Period(tally, watched(start, min(stop, now), since))
        for tally, (_, start, stop) in zip(tallies, spans, strict=True)
    ]


def daily(hours: Mapping[int, Tally], since: float | None, now: float, days: int, zone: ZoneInfo) -> list[Period]:
    """One check's last `days` local days, oldest first; today runs only up to `now`."""
    return bucketed(hours, since, now, local_days(now, days, zone))


def total(periods: Iterable[Period]) -> Period:
    return sum(periods, EMPTY)


def combine(periods_by_check: Iterable[list[Period]]) -> list[Period]:
    """Add up several checks' aligned lists of periods (a host, or a page section)."""
    combined: list[Period] = []
    for periods in periods_by_check:
        combined = [a + b for a, b in zip(combined, periods, strict=True)] if combined else list(periods)
    return combined


def level(p: Period) -> str:
    """How a day's bar is coloured: by its uptime, or unknown / maintenance with no known slot."""
    pct = p.uptime_pct
    if pct is None:
        return "maintenance" if p.tally.maintenance > 0 else "unknown"
    if pct >= 99.9:
        return "up"
    return "partial" if pct >= 95.0 else "down"


def hour_start(ts: float) -> int:
    return int(ts) - int(ts) % HOUR


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)

"""The flow tables' tiers: minutes rolled up into hours, and each tier pruned past its retention.

An hour's table per port, direction and dimension is its minutes' tables summed, cut
again to the top N and "other": "other" stays the sum of everything not named.
"""

from collections import defaultdict

from django.conf import settings
from django.db import transaction

from flows.models import Talker, Tier

HOUR = 3600
GRACE_S = 120  # the collector writes a minute a second or so after it ends


def roll_up(now: float) -> int:
    """Every ended hour with minutes and no hour rows yet; returns the hour rows written."""
    written = 0
    last_whole_hour = (int(now) - GRACE_S) // HOUR * HOUR
    rolled = set(Talker.objects.filter(tier=Tier.HOUR).values_list("start", flat=True).distinct())
    minutes = Talker.objects.filter(tier=Tier.MINUTE, start__lt=last_whole_hour)
    hours = sorted({start // HOUR * HOUR for start in minutes.values_list("start", flat=True).distinct()} - rolled)
    for hour in hours:
        written += _roll_up_hour(hour)
    return written


def _roll_up_hour(hour: int) -> int:
    sums: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    columns = ("exporter", "host_id", "if_index", "direction", "dimension", "key", "bytes", "packets", "flows")
    for *table, key, size, packets, flows in (
        Talker.objects.filter(tier=Tier.MINUTE, start__gte=hour, start__lt=hour + HOUR).values_list(*columns).iterator()
    ):
        total = sums[tuple(table)][key]
        total[0], total[1], total[2] = total[0] + size, total[1] + packets, total[2] + flows
    rows = []
    for (exporter, host_id, if_index, direction, dimension), keys in sums.items():
        for key, (size, packets, flows) in _top(keys, settings.FLOWS_TOP_N):
            rows.append(Talker(tier=Tier.HOUR, start=hour, exporter=exporter, host_id=host_id, if_index=if_index,
                               direction=direction, dimension=dimension, key=key, bytes=size, packets=packets,
                               flows=flows))  # fmt: skip
    with transaction.atomic():
        Talker.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _top(keys: dict[str, list[int]], n: int) -> list[tuple[str, list[int]]]:
    named = sorted(((k, v) for k, v in keys.items() if k), key=lambda item: -item[1][0])
    rest = [v for _, v in named[n:]] + ([keys[""]] if "" in keys else [])
    other = [("", [sum(column) for column in zip(*rest, strict=True)])] if rest else []
    return named[:n] + other


def prune(now: float) -> dict[str, int]:
    """Delete the rows each tier keeps no longer; returns rows deleted per tier."""
    keep = {Tier.MINUTE: settings.FLOWS_MINUTE_HOURS * HOUR, Tier.HOUR: settings.FLOWS_HOUR_DAYS * 24 * HOUR}
    return {
        str(tier): Talker.objects.filter(tier=tier, start__lt=int(now) - seconds).delete()[0]
        for tier, seconds in keep.items()
    }

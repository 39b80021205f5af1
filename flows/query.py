"""Reading the top-N tables back: filters, a range, the tier that covers it, tables merged over time.

Each stored minute (or hour) holds the top N of each table and an "other" row, so over a
range a key's bytes are exact for the buckets where it was in the top N, and the rest is
in "other": every table still sums to every byte of the port.
"""

import ipaddress
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum

from flows.aggregation import DIMENSIONS, OTHER, PAIRS, PORTS, PROTOCOLS, SOURCES
from flows.models import Talker, Tier

MINUTE_TIER_UP_TO_S = 6 * 3600  # longer ranges read the hourly tables
ADDRESS_TABLES = ("src", "dst", "pair")


class BadFilter(ValueError):
    """A filter a person typed that means nothing: told back to them, not a 500."""


@dataclass(frozen=True)
class Filters:
    start: int
    end: int
    host: int | None = None
    interface: int | None = None
    direction: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None
    protocol: str | None = None

    @property
    def tier(self) -> str:
        longest_minutes = settings.FLOWS_MINUTE_HOURS * 3600
        if self.end - self.start > MINUTE_TIER_UP_TO_S or self.end - self.start > longest_minutes:
            return Tier.HOUR
        return Tier.MINUTE


def parse(params, now: float) -> Filters:
    end = _integer(params, "to", int(now))
    start = _integer(params, "from", end - 3600)
    if start >= end:
        raise BadFilter("`from` must be before `to`")
    direction = params.get("direction") or None
    if direction not in (None, "in", "out"):
        raise BadFilter("`direction` is in or out")
    try:
        network = ipaddress.ip_network(params["address"], strict=False) if params.get("address") else None
    except ValueError:
        raise BadFilter("`address` is an address or a prefix, e.g. 198.51.100.0/24") from None
    port = _integer(params, "port", None)
    if port is not None and not 0 <= port <= 65535:
        raise BadFilter("`port` is 0 to 65535")
    return Filters(start, end, _integer(params, "device", None), _integer(params, "interface", None), direction,
                   network, port, (params.get("protocol") or "").lower() or None)  # fmt: skip


def _integer(params, name: str, default):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(float(raw))
    except ValueError:
        raise BadFilter(f"`{name}` is a whole number") from None


def rows(filters: Filters):
    """The stored rows the filters select by column (the key filters are applied by `matches`)."""
    queryset = Talker.objects.filter(
        tier=filters.tier, start__gte=_bucket(filters.start, filters.tier), start__lt=filters.end
    )
    for column, value in (("host_id", filters.host), ("if_index", filters.interface), ("direction", filters.direction)):
        if value is not None:
            queryset = queryset.filter(**{column: value})
    return queryset


def _bucket(moment: int, tier: str) -> int:
    span = 3600 if tier == Tier.HOUR else 60
    return moment // span * span


def matches(filters: Filters, dimension: str, key: str) -> bool:
    if filters.network is not None and dimension in ADDRESS_TABLES:
        return key != OTHER and any(_in(filters.network, part) for part in key.split(" > "))
    if filters.port is not None and dimension == PORTS:
        return key.split(" ")[0].endswith(f"/{filters.port}")
    if filters.protocol is not None and dimension in (PROTOCOLS, PORTS):
        return key.split("/")[0].split(" ")[0] == filters.protocol
    return True


def _in(network, text: str) -> bool:
    try:
        return ipaddress.ip_address(text) in network
    except ValueError:
        return False


def top(filters: Filters, n: int = 10) -> dict[str, list[dict]]:
    """Each table over the range: the top n keys by bytes, then "other" (what is left, the filters allowing)."""
    totals: dict[str, dict[str, list[int]]] = {d: defaultdict(lambda: [0, 0, 0]) for d in DIMENSIONS}
    grouped = rows(filters).values("dimension", "key").annotate(b=Sum("bytes"), p=Sum("packets"), f=Sum("flows"))
    for row in grouped:
        if row["dimension"] in totals and matches(filters, row["dimension"], row["key"]):
            sums = totals[row["dimension"]][row["key"]]
            sums[0], sums[1], sums[2] = sums[0] + row["b"], sums[1] + row["p"], sums[2] + row["f"]
    return {dimension: _ranked(keys, n) for dimension, keys in totals.items()}


def _ranked(keys: dict[str, list[int]], n: int) -> list[dict]:
    named = sorted(((k, v) for k, v in keys.items() if k != OTHER), key=lambda item: -item[1][0])
    out = [{"key": k, "bytes": b, "packets": p, "flows": f} for k, (b, p, f) in named[:n]]
    rest = [v for _, v in named[n:]] + ([keys[OTHER]] if OTHER in keys else [])
    if rest:
        size, packets, flows = (sum(values) for values in zip(*rest, strict=True))
        out.append({"key": OTHER, "bytes": size, "packets": packets, "flows": flows})
    return out


def series(filters: Filters) -> list[list[int]]:
    """[bucket start, bytes] over the range: every byte of the selected ports (the sources table's sum),
    or with an address filter, the bytes of the pairs to or from it."""
    dimension = SOURCES if filters.network is None else PAIRS
    by_bucket: dict[int, int] = defaultdict(int)
    for start, key, size in rows(filters).filter(dimension=dimension).values_list("start", "key", "bytes"):
        if matches(filters, dimension, key):
            by_bucket[start] += size
    return [[start, by_bucket[start]] for start in sorted(by_bucket)]


def exporting_hosts():
    """The ids of the devices that have sent flows (the Flows page's choice of device)."""
    return Talker.objects.exclude(host=None).values_list("host_id", flat=True).distinct()

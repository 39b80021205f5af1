"""History kept in a Prometheus-compatible store (VictoriaMetrics, or anything with its import and
query APIs): values written with VictoriaMetrics' JSON-lines import, read with the Prometheus
query API, bucketed by the store itself (min/avg/max_over_time).

Each series is `netmon_<metric with _ for .>{source, metric, label}`: the original metric
name is kept as a label, as dots are not allowed in Prometheus names. A value written twice
(a batch retried after a failed commit) is the same sample at the same millisecond: run the
store with deduplication (`-dedup.minScrapeInterval=1ms` for VictoriaMetrics) to keep one.

Credentials in the URL (`http://user:password@vmauth:8427`) are sent as HTTP basic auth and
never shown: errors name the store by its address alone.
"""

import functools
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import numpy as np
import orjson
from django.db import DatabaseError

from stats.history import tiers
from stats.history.buckets import plan

IMPORT_PATH = "/api/v1/import"
QUERY_RANGE_PATH = "/api/v1/query_range"
TIMEOUT_S = 10.0
AGGREGATES = {"min": "min_over_time", "avg": "avg_over_time", "max": "max_over_time"}
AGGREGATE_LABEL = "netmon_aggregate"  # which of AGGREGATES a series of an answer holds
# A balancer in front of several stores (vmauth) answers 502 when the store it chose is down, and
# Debian's vmauth 1.79 does not try another itself: a read is asked again, and goes to the next store.
BALANCER_ERRORS = frozenset({502, 503, 504})
READ_ATTEMPTS = 4
NUMPY = orjson.OPT_SERIALIZE_NUMPY

logger = logging.getLogger(__name__)


class StoreError(DatabaseError):
    """The store refused or did not answer. A DatabaseError, as history is the database's part
    here: writers keep their batch and retry (the ingest, the checks worker), pages answer 503."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@functools.lru_cache(maxsize=4096)  # a write names the same few hundred metrics every second
def metric_name(metric: str) -> str:
    return "netmon_" + re.sub(r"[^A-Za-z0-9_]", "_", metric)


def series_labels(source: str, metric: str, label: str) -> dict[str, str]:
    return {"__name__": metric_name(metric), "source": source, "metric": metric, "label": label}


def import_lines(samples: Iterable[tuple[str, str, str, float, float]]) -> tuple[bytes, int]:
    """The samples as VictoriaMetrics import lines (one per series); and how many samples were given."""
    by_series: dict[tuple[str, str, str], tuple[list, list]] = defaultdict(lambda: ([], []))
    count = 0
    for source, metric, label, ts, value in samples:
        count += 1
        if value != value or math.isinf(value):  # NaN: a gap, not a value
            continue
        values, stamps = by_series[source, metric, label]
        values.append(value)
        stamps.append(round(ts * 1000))
    lines = [
        # numpy's scalars too: some writers hand their values over as they computed them
        orjson.dumps({"metric": series_labels(*key), "values": values, "timestamps": stamps}, option=NUMPY)
        for key, (values, stamps) in by_series.items()
    ]
    return b"\n".join(lines), count


def any_of(values: Iterable[str]) -> str:
    """A quoted regular expression matching exactly one of `values` (a string literal of PromQL)."""
    pattern = "|".join(re.escape(value) for value in values)
    return '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'


class PrometheusHistory:
    """The history interface (stats.history.stores) over a store's HTTP APIs."""

    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self.base_url, auth = without_credentials(base_url.rstrip("/"))
        self.client = client or httpx.Client(timeout=TIMEOUT_S, auth=auth)

    def write(self, samples: Iterable[tuple[str, str, str, float, float]]) -> int:
        body, count = import_lines(samples)
        if body:
            self._call("POST", IMPORT_PATH, content=body)
        return count

    def read(self, sources: list[str], metrics: list[str], start: float, end: float, points: int, now: float,
             max_values: int | None = None) -> dict:  # fmt: skip
        """As stats.history.query.read: the same buckets, each bucket [t, t + step) computed by the store."""
        query_plan = plan(start, end, points, now, tiers.configured())
        first, width, count = query_plan.first, query_plan.width, query_plan.count
        found: dict[tuple[str, str, str], dict[str, np.ndarray]] = {}
        if sources and metrics:
            for labels, stamps, values in self._range(sources, metrics, first, width, count):
                key = labels.get("source", ""), labels.get("metric", ""), labels.get("label", "")
                dense = found.setdefault(key, {n: np.full(count, np.nan, np.float32) for n in AGGREGATES})
                dense[labels[AGGREGATE_LABEL]][stamps] = values
        if max_values is not None and len(found) * count > max_values:
            from stats.history.query import TooMuch

            raise TooMuch(f"{len(found)} series x {count} points is more than {max_values:,} values: ask for fewer")
        return {
            "from": start, "to": end, "tier": "store", "step": width,
            "t": first + np.arange(count, dtype=np.int64) * width,
            "series": [{"source": s, "metric": m, "label": la} | found[s, m, la] for s, m, la in sorted(found)],
        }  # fmt: skip

    def _range(self, sources, metrics, first: int, width: int, count: int):
        """(labels, bucket indexes, values) per series and aggregate (its AGGREGATE_LABEL) over each bucket
        [t, t + width): the three aggregates in one query, so a card costs the store one round trip."""
        selector = f"{{__name__=~{any_of(map(metric_name, metrics))},source=~{any_of(sources)}}}"
        # Evaluated at a bucket's end, over the width before it, 1 ms back: [t, t + width) for whole seconds.
        # label_replace with an empty source label and pattern sets the label: PromQL's way, which
        # VictoriaMetrics takes too.
        query = " or ".join(
            f'label_replace({function}({selector}[{width}s] offset 1ms), "{AGGREGATE_LABEL}", "{column}", "", "")'
            for column, function in AGGREGATES.items()
        )
        params = {"query": query, "start": first + width, "end": first + count * width, "step": f"{width}s"}
        reply = self._query(params)
        for result in reply["data"]["result"]:
            stamps = np.array([round(float(t)) for t, _ in result["values"]], np.int64)
            values = np.array([float(v) for _, v in result["values"]], np.float32)
            indexes = (stamps - width - first) // width
            inside = (indexes >= 0) & (indexes < count)
            yield result["metric"], indexes[inside], values[inside]

    def _query(self, params: dict) -> dict:
        """A range query; asked again while a balancer answers that the store it chose is down."""
        for attempt in range(2, READ_ATTEMPTS + 1):
            try:
                return self._call("GET", QUERY_RANGE_PATH, params=params).json()
            except StoreError as error:
                if error.status not in BALANCER_ERRORS:
                    raise
                logger.warning("%s; asking again (%d of %d)", error, attempt, READ_ATTEMPTS)
        return self._call("GET", QUERY_RANGE_PATH, params=params).json()

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self.client.request(method, self.base_url + path, **kwargs)
        except httpx.HTTPError as error:
            raise StoreError(f"history store at {self.base_url}: {error}") from error
        if response.status_code >= 300:
            message = f"history store at {self.base_url}: {response.status_code} {response.text[:600]}"
            raise StoreError(message, response.status_code)
        return response


def without_credentials(url: str) -> tuple[str, httpx.BasicAuth | None]:
    """The URL without its user and password, which become basic auth (vmauth asks for it)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    auth = httpx.BasicAuth(unquote(parts.username), unquote(parts.password or ""))
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])), auth

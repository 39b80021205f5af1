"""GET /api/hosts/<id>/series and /api/agents/<name>/series: a range of history, at most N points."""

import math
import time
from datetime import UTC, datetime

import orjson
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.downloads import DOWNLOAD_RENDERERS, DOWNLOADS
from core.contracts.metrics import HISTORY_METRICS
from monitor.models import Host
from stats.history import query, stores
from stats.history.metrics import agent_source, check_source, device_source
from stats.history.prometheus import StoreError
from stats.models import Agent

DEFAULT_POINTS = 1000
MAX_POINTS = 10_000
DEFAULT_SPAN = 3600
# What one request may cost: a range no longer than the longest retention, and at most
# this many returned values (series x points). Each point reads at most one bucket of
# the tier the plan picks, so this also bounds the rows read.
MAX_SPAN_S = 800 * 86400
MAX_VALUES = 200_000
LATEST_MOMENT = 32_503_680_000  # the year 3000: later is a typo, and too large for the tables

PARAMETERS = [
    OpenApiParameter(
        "metric",
        OpenApiTypes.STR,
        required=True,
        description="one or more metrics, comma-separated: " + ", ".join(HISTORY_METRICS),
    ),
    OpenApiParameter("from", OpenApiTypes.STR, description="unix seconds or ISO 8601; default: an hour before `to`"),
    OpenApiParameter("to", OpenApiTypes.STR, description="unix seconds or ISO 8601; default: now"),
    OpenApiParameter(
        "points",
        OpenApiTypes.INT,
        description=f"at most this many buckets (2 to {MAX_POINTS}, default {DEFAULT_POINTS})",
    ),
]


def _moment(raw: str, name: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = _iso_moment(raw, name)
    if not (math.isfinite(seconds) and 0 <= seconds <= LATEST_MOMENT):
        raise exceptions.ValidationError({name: "Give a moment between 1970 and 3000 (not NaN or infinity)."})
    return seconds


def _iso_moment(raw: str, name: str) -> float:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({name: "Use unix seconds or ISO 8601."}) from None
    if moment.tzinfo is None:
        raise exceptions.ValidationError({name: "Give a time zone, e.g. 2026-11-23T08:00:00Z."})
    return moment.timestamp()


def parse_range(params, now: float) -> tuple[list[str], float, float, int]:
    metrics = [m.strip() for m in params.get("metric", "").split(",") if m.strip()]
    if not metrics:
        raise exceptions.ValidationError({"metric": "Name one or more metrics."})
    unknown = [m for m in metrics if m not in HISTORY_METRICS]
    if unknown:
        raise exceptions.ValidationError(
            {"metric": f"Unknown metric {unknown[0]!r}; known: {', '.join(HISTORY_METRICS)}."}
        )
    end = _moment(params["to"], "to") if params.get("to") else now
    start = _moment(params["from"], "from") if params.get("from") else end - DEFAULT_SPAN
    if start >= end:
        raise exceptions.ValidationError({"from": "`from` must be before `to`."})
    if end - start > MAX_SPAN_S:
        raise exceptions.ValidationError({"from": f"A range spans at most {MAX_SPAN_S // 86400} days."})
    try:
        points = int(params.get("points", DEFAULT_POINTS))
    except ValueError:
        raise exceptions.ValidationError({"points": "Give a whole number."}) from None
    if not 2 <= points <= MAX_POINTS:
        raise exceptions.ValidationError({"points": f"Between 2 and {MAX_POINTS}."})
    return metrics, start, end, points


SERIES_COLUMNS = ["time", "source", "metric", "label", "min", "avg", "max"]


def series_rows(body: dict):
    """One CSV row per series and bucket that has a value."""
    for series in body["series"]:
        for index, moment in enumerate(body["t"].tolist()):
            if not math.isnan(series["avg"][index]):
                # str() of a float32 is its shortest form: 12.3 as measured, not 12.300000190734863.
                low, avg, high = (float(str(series[name][index])) for name in ("min", "avg", "max"))
                yield [
                    datetime.fromtimestamp(moment, UTC).isoformat(),
                    body["sources"][series["source"]],
                    series["metric"],
                    series["label"],
                    low,
                    avg,
                    high,
                ]


class SeriesJSONRenderer(renderers.JSONRenderer):
    """JSON straight from the query's numpy columns, with orjson: a card's 21 series x 1,000
    buckets x 3 took 7.7 ms through json.dumps, and lists of Python floats before that.
    NaN (no value) becomes null; float32 prints as measured (12.3, not 12.300000190734863)."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)


class HistoryUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The history store is unavailable."


class SeriesView(APIView):
    """`?format=csv` or `?format=jsonl`: the same buckets as rows (time, source, metric, label, min, avg, max)."""

    renderer_classes = [SeriesJSONRenderer, renderers.BrowsableAPIRenderer, *DOWNLOAD_RENDERERS]

    def sources(self, **kwargs) -> dict[str, str]:
        """source -> what it is, for the object in the URL."""
        raise NotImplementedError

    @extend_schema(parameters=PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request, **kwargs):
        began = time.perf_counter()
        sources = self.sources(**kwargs)
        metrics, start, end, points = parse_range(request.query_params, time.time())
        try:
            body = stores.read(list(sources), metrics, start, end, points, time.time(), max_values=MAX_VALUES)
        except query.TooMuch as exc:
            raise exceptions.ValidationError({"points": str(exc)}) from None
        except StoreError as exc:
            raise HistoryUnavailable(str(exc)) from None
        body["sources"] = sources
        body["units"] = {metric: HISTORY_METRICS[metric].unit for metric in metrics}
        if download := DOWNLOADS.get(request.accepted_renderer.format):
            return download(f"history.{request.accepted_renderer.format}", SERIES_COLUMNS, series_rows(body))
        response = Response(body)
        response["Server-Timing"] = f"history;dur={(time.perf_counter() - began) * 1000:.1f}"
        return response


class HostSeriesView(SeriesView):
    """A monitored host's check metrics, and its agent's if an agent reports under its name."""

    def sources(self, host_id: int) -> dict[str, str]:
        host = get_object_or_404(Host.objects.prefetch_related("checks"), pk=host_id)
        names = {check_source(check.pk): check.describe() for check in host.checks.all()}
        ports = {device_source(host.pk): "ports"} if any(c.kind_spec.polls_ports for c in host.checks.all()) else {}
        return {agent_source(host.name): "agent", **names, **ports}


class AgentSeriesView(SeriesView):
    def sources(self, name: str) -> dict[str, str]:
        agent = get_object_or_404(Agent, name=name)
        return {agent_source(agent.name): "agent"}

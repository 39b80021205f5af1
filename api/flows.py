"""GET /api/flows/: the top talkers of a range, filtered by device, port, direction, address or prefix, port, protocol.

`?format=csv` (or `jsonl`) downloads the same tables as rows.
"""

import time

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.downloads import DOWNLOAD_RENDERERS, DOWNLOADS
from flows import query, truth

COLUMNS = ["table", "key", "bytes", "packets", "flows"]
MAX_TOP = 100
PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.INT, description="unix seconds; default: an hour before `to`"),
    OpenApiParameter("to", OpenApiTypes.INT, description="unix seconds; default: now"),
    OpenApiParameter("device", OpenApiTypes.INT, description="the exporting device's host id"),
    OpenApiParameter("interface", OpenApiTypes.INT, description="the port's ifIndex"),
    OpenApiParameter("direction", OpenApiTypes.STR, description="in or out"),
    OpenApiParameter("address", OpenApiTypes.STR, description="an address or prefix, on either end"),
    OpenApiParameter("port", OpenApiTypes.INT, description="a service port"),
    OpenApiParameter("protocol", OpenApiTypes.STR, description="tcp, udp, icmp, ..."),
    OpenApiParameter(
        "top", OpenApiTypes.INT, description=f'rows per table before "other" (1 to {MAX_TOP}, default 10)'
    ),
]


def selection(params) -> tuple[query.Filters, int]:
    try:
        filters = query.parse(params, time.time())
        n = int(params.get("top") or 10)
    except (query.BadFilter, ValueError) as error:
        raise exceptions.ValidationError({"detail": str(error)}) from None
    return filters, max(1, min(n, MAX_TOP))


def table_rows(tables: dict[str, list[dict]]):
    for table, entries in tables.items():
        for entry in entries:
            yield table, entry["key"] or "other", entry["bytes"], entry["packets"], entry["flows"]


class FlowsView(APIView):
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, *DOWNLOAD_RENDERERS]

    @extend_schema(parameters=PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        filters, n = selection(request.query_params)
        tables = query.top(filters, n)
        if download := DOWNLOADS.get(request.accepted_renderer.format):
            return download(f"flows.{request.accepted_renderer.format}", COLUMNS, table_rows(tables))
        body = {"from": filters.start, "to": filters.end, "tier": filters.tier, "tables": tables,
                "series": query.series(filters)}  # fmt: skip
        if filters.host is not None:  # the check of truth: flows beside SNMP, per port
            body["ports"] = truth.compare(filters.host, time.time())
        return Response(body)

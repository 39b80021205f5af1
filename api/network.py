"""The network API: a host's dependencies and whether its alerts are held
(/api/hosts/<id>/dependencies/), and where a MAC or IP address was seen (/api/where/?q=)."""

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from discovery import decisions
from discovery.dependencies import SERVER
from discovery.models import ParentPin
from monitor.devices.search import where
from monitor.models import Host


class HostRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)  # null: the monitoring server itself
    name = serializers.CharField()


class DependenciesSerializer(serializers.Serializer):
    parents = HostRefSerializer(many=True)
    pinned = serializers.BooleanField()
    unreachable_via = HostRefSerializer(allow_null=True)
    root_cause_of = serializers.IntegerField(allow_null=True)


class SightingSerializer(serializers.Serializer):
    device = serializers.CharField()
    host_id = serializers.IntegerField()
    kind = serializers.CharField()
    mac = serializers.CharField()
    ip = serializers.CharField()
    port = serializers.CharField()
    vlan = serializers.IntegerField(allow_null=True)
    neighbour = serializers.CharField()
    first_seen_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()


def _ref(host_id, names: dict) -> dict:
    return {"id": None, "name": "server"} if host_id == SERVER else {"id": host_id, "name": names.get(host_id, "?")}


class HostDependenciesView(APIView):
    @extend_schema(responses={200: DependenciesSerializer})
    def get(self, request, host_id: int):
        """The host's parents (derived from links, path hops and routing sessions, or pinned by an
        administrator); when it is DOWN, the parent it is unreachable via (its alerts are held) or,
        when it is the root cause, how many hosts are held behind it."""
        host = get_object_or_404(Host, pk=host_id)
        found, _ = decisions.dependencies()
        decision = decisions.current()
        cause = decision.held.get(host.pk)
        names = dict(Host.objects.filter(pk__in=[*found.get(host.pk, []), cause]).values_list("id", "name"))
        body = {
            "parents": [_ref(parent, names) for parent in found.get(host.pk, [])],
            "pinned": ParentPin.objects.filter(host=host).exists(),
            "unreachable_via": _ref(cause, names) if cause is not None else None,
            "root_cause_of": decision.causes.get(host.pk),
        }
        return Response(DependenciesSerializer(body).data)


class WhereView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                                     description="A MAC address (any usual spelling) or an IP address.")],
        responses={200: SightingSerializer(many=True)},
    )  # fmt: skip
    def get(self, request):
        """Where a MAC or IP address was seen: switch ports (with VLAN and the neighbour on the port),
        access ports and the newest first, then the ARP and IPv6 neighbour tables that hold it."""
        found = where(request.query_params.get("q", ""))
        return Response(SightingSerializer([asdict(s) for s in found], many=True).data)

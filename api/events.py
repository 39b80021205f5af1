"""/api/events/: network events (SNMP traps, syslog), newest first, with the Events page's filters."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.pagination import NewestFirst
from api.views import NewestFirstListing
from events.filters import BadFilter, filtered
from events.models import Event

FILTERS = [
    OpenApiParameter("device", OpenApiTypes.INT, description="the device's host id"),
    OpenApiParameter("tag", OpenApiTypes.STR, description="a tag of the device"),
    OpenApiParameter("severity", OpenApiTypes.INT, description="this severity (0 emergency .. 7 debug) or graver"),
    OpenApiParameter("facility", OpenApiTypes.INT, description="syslog facility (0-23)"),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["trap", "syslog"]),
    OpenApiParameter("trap_name", OpenApiTypes.STR, description="part of the trap's name, e.g. linkDown"),
    OpenApiParameter("source", OpenApiTypes.STR, description="the address it came from"),
    OpenApiParameter("q", OpenApiTypes.STR, description="words in the text (full-text search)"),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="events received at or after this moment"),
]


class EventSerializer(serializers.ModelSerializer):
    device_name = serializers.CharField(source="device.name", default=None)

    class Meta:
        model = Event
        fields = ["id", "received_at", "device", "device_name", "source", "kind", "severity", "facility", "app",
                  "trap_oid", "trap_name", "varbinds", "text"]  # fmt: skip


class EventsNewestFirst(NewestFirst):
    ordering = ("-received_at", "-id")


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class EventViewSet(NewestFirstListing):
    """Network events every signed-in user may read."""

    serializer_class = EventSerializer
    queryset = Event.objects.none()  # names the model for the schema; rows() gives the rows
    pagination_class = EventsNewestFirst
    since_field = "received_at"
    download_name = "events"
    download_columns = {
        "received_at": "received_at", "device_id": "device_id", "device": "device__name", "source": "source",
        "kind": "kind", "severity": "severity", "facility": "facility", "app": "app", "trap_name": "trap_name",
        "trap_oid": "trap_oid", "text": "text",
    }  # fmt: skip

    def rows(self):
        try:
            return filtered(Event.objects.select_related("device"), self.request.query_params).distinct()
        except BadFilter as error:
            raise ValidationError({"detail": str(error)}) from None

"""API endpoints. Reads need a signed-in user or any token; writes the model's permission
(the admin role) and, through a token, a writing token (api.auth)."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from alerts import visibility
from alerts.models import AlertEvent, AlertRule
from api import serializers
from api.auth import HasPermission
from api.downloads import DOWNLOAD_RENDERERS, DOWNLOADS, iso
from api.pagination import EventsNewestFirst, ResultsNewestFirst
from core.web.exports import ROWS_PER_BATCH
from monitor.devices.models import Device, Interface
from monitor.models import RUN_CHECK, Check, CheckResult, Host, Site
from monitor.results import derive_hosts
from status.models import Notice, StatusPage


def _param(name: str, kind=OpenApiTypes.STR, description: str = "") -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


def _since(request):
    """The `since` query parameter as an aware datetime, or None."""
    raw = request.query_params.get("since")
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
    except ValueError:  # well formed but not a date, e.g. month 13
        moment = None
    if moment is None:
        raise exceptions.ValidationError({"since": "Use ISO 8601, e.g. 2026-11-23T08:00:00Z."})
    moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    try:
        # In UTC: PostgreSQL refuses offsets Python takes (up to 24 h; it stops at 15:59).
        return moment.astimezone(UTC)
    except OverflowError:  # the first or last day a datetime holds, pushed past it by the offset
        raise exceptions.ValidationError({"since": "That moment is out of range."}) from None


def _filtered(queryset, params, lookups: dict[str, str]):
    """`queryset` narrowed by each query parameter given: parameter -> field lookup.

    Each value is checked against the field it filters first, so `?host=abc` is a
    400 that says what to write, not a database error.
    """
    for param, lookup in lookups.items():
        if value := params.get(param):
            queryset = queryset.filter(**{lookup: _typed(queryset.model, lookup, param, value)})
    return queryset


def _typed(model, lookup: str, param: str, value: str):
    field = model._meta.get_field(lookup.split("__")[0])
    for name in lookup.split("__")[1:]:
        field = field.related_model._meta.get_field(name)
    if field.is_relation:
        field = field.target_field
    try:
        value = field.to_python(value)
        field.run_validators(value)  # e.g. an id too large for the column
    except DjangoValidationError as error:
        raise exceptions.ValidationError({param: error.messages}) from None
    if field.choices and value not in {choice for choice, _ in field.flatchoices}:
        choices = ", ".join(str(choice) for choice, _ in field.flatchoices)
        raise exceptions.ValidationError({param: f"Unknown value {str(value)[:50]!r}; use one of: {choices}."})
    return value


@extend_schema_view(list=extend_schema(parameters=[_param("status"), _param("tag")]))
class HostViewSet(viewsets.ModelViewSet):
    serializer_class = serializers.HostSerializer

    def get_queryset(self):
        hosts = Host.objects.prefetch_related("tags").order_by("name")
        return _filtered(hosts, self.request.query_params, {"status": "status", "tag": "tags__name"})

    def perform_update(self, serializer):
        host = serializer.save()
        transaction.on_commit(lambda: derive_hosts({host.pk}))

    @extend_schema(responses={200: serializers.InterfaceSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def interfaces(self, request, pk=None):
        """Every port of the host's SNMP device as the latest poll left it, by ifIndex."""
        host = self.get_object()
        interfaces = Interface.objects.filter(host=host).order_by("index")
        return Response(serializers.InterfaceSerializer(interfaces, many=True).data)

    @extend_schema(responses={200: serializers.DeviceSerializer})
    @action(detail=True, methods=["get"])
    def device(self, request, pk=None):
        """What the host's SNMP check discovered: name, description, vendor, model, uptime."""
        device = get_object_or_404(Device, host=self.get_object())
        return Response(serializers.DeviceSerializer(device).data)


class SiteViewSet(viewsets.ModelViewSet):
    """The places checks run from: each site's probe runs the checks that name it."""

    serializer_class = serializers.SiteSerializer
    queryset = Site.objects.order_by("name")


@extend_schema_view(list=extend_schema(parameters=[_param("host", OpenApiTypes.INT)]))
class CheckViewSet(viewsets.ModelViewSet):
    serializer_class = serializers.CheckSerializer

    def get_queryset(self):
        checks = Check.objects.select_related("host").prefetch_related("sites").order_by("id")
        return _filtered(checks, self.request.query_params, {"host": "host_id"})

    def perform_create(self, serializer):
        self._saved(serializer.save(next_run_at=timezone.now()).host_id)

    def perform_update(self, serializer):
        # As in admin: an edited check runs at once, so its new settings show without delay.
        self._saved(serializer.save(next_run_at=timezone.now()).host_id)

    def perform_destroy(self, instance):
        host_id = instance.host_id
        instance.delete()
        self._saved(host_id)

    @staticmethod
    def _saved(host_id: int) -> None:
        transaction.on_commit(lambda: derive_hosts({host_id}))

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], permission_classes=[HasPermission.of(RUN_CHECK)])
    def run(self, request, pk=None):
        """Run the check within a second (the operator role)."""
        check = self.get_object()
        Check.objects.filter(pk=check.pk).update(next_run_at=timezone.now())
        return Response({"id": check.pk, "queued": True}, status=202)


class AlertRuleViewSet(viewsets.ModelViewSet):
    serializer_class = serializers.AlertRuleSerializer
    queryset = AlertRule.objects.prefetch_related("recipients", "recipient_groups").select_related("tag").order_by("id")


class StatusPageViewSet(viewsets.ModelViewSet):
    """Status pages: read by any signed-in user or token, configured by the admin role."""

    serializer_class = serializers.StatusPageSerializer
    queryset = StatusPage.objects.prefetch_related("hosts", "tags", "notices").order_by("id")


class NoticeViewSet(viewsets.ModelViewSet):
    """Incidents and maintenance notes on status pages: written by operators and admins."""

    serializer_class = serializers.NoticeSerializer
    queryset = Notice.objects.order_by("-starts_at", "-id")


class NewestFirstListing(viewsets.ReadOnlyModelViewSet):
    """A growing table read newest first, narrowed by query parameters and `since`.

    `?format=csv` or `?format=jsonl` downloads every matching row instead of a page,
    oldest first, streamed.
    """

    lookups: dict[str, str] = {}  # query parameter -> field lookup
    since_field: str
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, *DOWNLOAD_RENDERERS]
    download_name: str
    download_columns: dict[str, str]  # column -> field path for values_list

    def list(self, request, *args, **kwargs):
        download = DOWNLOADS.get(request.accepted_renderer.format)
        if download is None:
            return super().list(request, *args, **kwargs)
        rows = self.get_queryset().order_by(self.since_field, "pk").values_list(*self.download_columns.values())
        name = f"{self.download_name}.{request.accepted_renderer.format}"
        return download(name, list(self.download_columns), _download_rows(rows))

    def rows(self):
        raise NotImplementedError

    def get_queryset(self):
        rows = _filtered(self.rows(), self.request.query_params, self.lookups)
        if since := _since(self.request):
            rows = rows.filter(**{f"{self.since_field}__gte": since})
        return rows


def _download_rows(rows):
    for row in rows.iterator(chunk_size=ROWS_PER_BATCH):
        yield [iso(value) if isinstance(value, datetime) else value for value in row]


def _listing_parameters(integers: list[str], texts: list[str], since: str) -> list[OpenApiParameter]:
    return [
        *(_param(name, OpenApiTypes.INT) for name in integers),
        *(_param(name) for name in texts),
        _param("since", OpenApiTypes.DATETIME, since),
    ]


@extend_schema_view(
    list=extend_schema(
        parameters=_listing_parameters(["check", "host"], ["status"], "results started at or after this moment")
    )
)
class CheckResultViewSet(NewestFirstListing):
    serializer_class = serializers.CheckResultSerializer
    queryset = CheckResult.objects.none()  # names the model for the schema; rows() gives the rows
    pagination_class = ResultsNewestFirst
    lookups = {"check": "host_check_id", "host": "host_id", "status": "status"}
    since_field = "started_at"
    download_name = "check-results"
    download_columns = {
        "started_at": "started_at", "scheduled_at": "scheduled_at", "host_id": "host_id", "host": "host__name",
        "check_id": "host_check_id", "kind": "host_check__kind", "status": "status", "latency_ms": "latency_ms",
        "loss_pct": "loss_pct", "jitter_ms": "jitter_ms", "error": "error",
    }  # fmt: skip

    def rows(self):
        return CheckResult.objects.all()


@extend_schema_view(
    list=extend_schema(parameters=_listing_parameters([], ["kind", "severity"], "events at or after this moment"))
)
class AlertEventViewSet(NewestFirstListing):
    """Alert history: the events of alerts the user receives (all of them for admins)."""

    serializer_class = serializers.AlertEventSerializer
    queryset = AlertEvent.objects.none()  # names the model for the schema; rows() gives the rows
    pagination_class = EventsNewestFirst
    lookups = {"kind": "kind", "severity": "alert__rule__severity"}
    since_field = "created_at"
    download_name = "alert-events"
    download_columns = {
        "created_at": "created_at", "kind": "kind", "alert_id": "alert_id", "rule": "alert__rule__name",
        "severity": "alert__rule__severity", "subject": "alert__subject_label", "value": "value",
        "message": "message", "by": "by__username",
    }  # fmt: skip

    def rows(self):
        events = AlertEvent.objects.select_related("alert__rule", "by")
        return visibility.visible(events, self.request.user, prefix="alert__")

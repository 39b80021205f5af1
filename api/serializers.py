"""API representations. Writes are validated by the models' own clean(), as in admin."""

import copy

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError as ModelValidationError
from rest_framework import serializers

from alerts import reach, visibility
from alerts.models import AlertEvent, AlertRule
from core.security.redaction import redact_url, unredact_url
from monitor import checks
from monitor.checks.settings import Setting
from monitor.devices.models import Device, Interface
from monitor.models import Check, CheckResult, Host, Site, Tag
from status.models import Notice, StatusPage


class ModelCleanMixin:
    """Run the model's field validators and clean() on the would-be instance."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many = {field.name for field in model._meta.many_to_many}
        instance = copy.copy(self.instance) if self.instance else model()
        for name, value in attrs.items():
            if name not in many:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=many, validate_unique=False)
        except ModelValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        return attrs


class NameField(serializers.SlugRelatedField):
    """A related object by its name; a name no database can search for (NUL) is refused, not looked up."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class TagNamesField(serializers.ListField):
    """Tags as a list of names."""

    child = serializers.SlugField(max_length=50)

    def to_representation(self, tags):
        return [tag.name for tag in tags.all()]


class SiteSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "notes"]


class HostSerializer(ModelCleanMixin, serializers.ModelSerializer):
    tags = TagNamesField(required=False)
    site = NameField(slug_field="name", queryset=Site.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Host
        fields = [
            "id",
            "name",
            "address",
            "enabled",
            "tags",
            "site",
            "notes",
            "status",
            "status_changed_at",
            "last_checked_at",
            "last_latency_ms",
        ]
        read_only_fields = ["status", "status_changed_at", "last_checked_at", "last_latency_ms"]

    def create(self, validated_data):
        names = validated_data.pop("tags", None)
        return self._tagged(super().create(validated_data), names)

    def update(self, instance, validated_data):
        names = validated_data.pop("tags", None)
        return self._tagged(super().update(instance, validated_data), names)

    @staticmethod
    def _tagged(host: Host, names: list[str] | None) -> Host:
        """Set the host's tags when given; names not seen before become new tags."""
        if names is not None:
            host.tags.set([Tag.objects.get_or_create(name=name)[0] for name in dict.fromkeys(names)])
        return host


def setting_field(setting: Setting) -> serializers.Field:
    """A check setting as a flat API field: optional, and write-only when it is a secret."""
    common = {"required": False, "help_text": setting.help_text or None}
    if setting.secret:
        return serializers.CharField(write_only=True, allow_blank=True, style={"input_type": "password"}, **common)
    if setting.choices:
        return serializers.ChoiceField(choices=setting.choices, **common)
    if setting.type is bool:
        return serializers.BooleanField(**common)
    if setting.type is str:
        return serializers.CharField(allow_blank=True, max_length=setting.max_length, **common)
    field = serializers.IntegerField if setting.type is int else serializers.FloatField
    return field(allow_null=not setting.required, **common)


class CheckSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A check's settings as flat fields (port, url, community, ...), every kind's, as
    published. A check URL's password and secret parameters are never shown back; sending
    the redacted URL back unchanged keeps the stored one. SNMP credentials are write-only:
    leaving one out of an update keeps the stored one. `sites`: the names of the sites
    whose probes run it (none: the centre's workers)."""

    sites = NameField(slug_field="name", queryset=Site.objects.all(), many=True, required=False)

    class Meta:
        model = Check
        exclude = ["next_run_at", "settings"]
        read_only_fields = [
            "status",
            "status_changed_at",
            "last_checked_at",
            "last_latency_ms",
            "last_loss_pct",
            "last_error",
        ]

    def get_fields(self):
        fields = super().get_fields()
        fields.update({name: setting_field(setting) for name, setting in checks.all_settings().items()})
        return fields

    def to_representation(self, check):
        fields = super().to_representation(check)
        if fields.get("url"):
            fields["url"] = redact_url(fields["url"])
        return fields

    def validate_url(self, value: str) -> str:
        return unredact_url(value, self.instance.url if self.instance else "")


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["sys_name", "sys_descr", "sys_object_id", "vendor", "model", "uptime_ticks", "discovered_at",
                  "restarted_at", "polled_at"]  # fmt: skip


class InterfaceSerializer(serializers.ModelSerializer):
    """A device port as its latest SNMP poll left it; rates are per second, null until two polls."""

    type = serializers.IntegerField(source="if_type")
    admin_status = serializers.SerializerMethodField()

    class Meta:
        model = Interface
        fields = ["index", "name", "alias", "type", "speed_bps", "admin_status", "oper_status", "oper_changed_at",
                  "in_bps", "out_bps", "in_pps", "out_pps", "utilisation_pct", "errors_per_s", "discards_per_s",
                  "polled_at"]  # fmt: skip

    def get_admin_status(self, interface) -> str:
        return "up" if interface.admin_up else "down"


class AlertRuleSerializer(ModelCleanMixin, serializers.ModelSerializer):
    tag = NameField(slug_field="name", queryset=Tag.objects.all(), required=False, allow_null=True)
    recipients = NameField(slug_field="username", queryset=get_user_model().objects.all(), many=True, required=False)
    recipient_groups = NameField(slug_field="name", queryset=Group.objects.all(), many=True, required=False)

    class Meta:
        model = AlertRule
        fields = "__all__"

    def validate(self, attrs):
        """A new rule without recipients goes to its creator; a rule that would reach nobody is refused."""
        attrs = super().validate(attrs)
        users = attrs.get("recipients", self.instance.recipients.all() if self.instance else [])
        groups = attrs.get("recipient_groups", self.instance.recipient_groups.all() if self.instance else [])
        if self.instance is None and not users and not groups:
            attrs["recipients"] = users = [self.context["request"].user]
        if reason := reach.nobody_reason(users, groups):
            raise serializers.ValidationError({"recipients": [reason]})
        return attrs

    def to_representation(self, rule):
        """Who receives a rule's alerts is shown to its recipients and admins only."""
        fields = super().to_representation(rule)
        user = self.context["request"].user
        if not (visibility.sees_every_alert(user) or visibility.receives(user, rule)):
            fields.pop("recipients")
            fields.pop("recipient_groups")
        return fields


class CheckResultSerializer(serializers.ModelSerializer):
    check_id = serializers.IntegerField(source="host_check_id")

    class Meta:
        model = CheckResult
        fields = [
            "id",
            "check_id",
            "host",
            "scheduled_at",
            "started_at",
            "status",
            "latency_ms",
            "loss_pct",
            "jitter_ms",
            "error",
            "details",
        ]


class AlertEventSerializer(serializers.ModelSerializer):
    alert = serializers.IntegerField(source="alert_id")
    rule = serializers.IntegerField(source="alert.rule_id")
    rule_name = serializers.CharField(source="alert.rule.name")
    severity = serializers.CharField(source="alert.rule.severity")
    subject = serializers.CharField(source="alert.subject_label")
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AlertEvent
        fields = [
            "id",
            "alert",
            "rule",
            "rule_name",
            "severity",
            "subject",
            "kind",
            "value",
            "message",
            "by",
            "created_at",
            "via",
            "behind",
        ]


class NoticeSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "page", "kind", "title", "message", "starts_at", "ends_at"]


class StatusPageSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """`hosts` as ids, `tags` as names (each tag a section); the notices are read here and
    written at /api/status-notices/ (operators) or in admin."""

    hosts = serializers.PrimaryKeyRelatedField(many=True, queryset=Host.objects.all(), required=False)
    tags = serializers.SlugRelatedField(many=True, slug_field="name", queryset=Tag.objects.all(), required=False)
    notices = NoticeSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = StatusPage
        fields = [
            "id", "slug", "title", "description", "public", "hosts", "tags", "hosts_heading",
            "show_reasons", "time_zone", "domain", "url", "notices",
        ]  # fmt: skip

    def get_url(self, page: StatusPage) -> str:
        return f"/status/{page.slug}/"

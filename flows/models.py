"""Flow aggregates: per exporter, interface, direction and time bucket, the top N of each dimension and "other"."""

from django.db import models


class Tier(models.TextChoices):
    MINUTE = "minute"
    HOUR = "hour"


class Talker(models.Model):
    """One row of a top-N table: a source, destination, pair, protocol or port, or "other" (key "")."""

    tier = models.CharField(max_length=6, choices=Tier)
    start = models.BigIntegerField()  # the bucket's start, unix s
    exporter = models.GenericIPAddressField()
    host = models.ForeignKey("monitor.Host", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    if_index = models.PositiveIntegerField()
    direction = models.CharField(max_length=3)  # in, out
    dimension = models.CharField(max_length=5)  # src, dst, pair, proto, port
    key = models.CharField(max_length=100, blank=True)
    bytes = models.BigIntegerField()
    packets = models.BigIntegerField()
    flows = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["tier", "start"], name="flows_talker_tier_start"),
            models.Index(fields=["host", "tier", "start"], name="flows_talker_host"),
        ]

    def __str__(self) -> str:
        return f"{self.exporter} if{self.if_index} {self.direction} {self.dimension} {self.key or 'other'}"


class PortCounters(models.Model):
    """An sFlow exporter's own counters of one port (counter samples): the latest, and the rates since the previous."""

    exporter = models.GenericIPAddressField()
    if_index = models.PositiveIntegerField()
    speed_bps = models.BigIntegerField(default=0)
    in_octets = models.BigIntegerField(default=0)
    out_octets = models.BigIntegerField(default=0)
    in_packets = models.BigIntegerField(default=0)
    out_packets = models.BigIntegerField(default=0)
    ts = models.FloatField()
    # bit/s between the previous sample and this one; None after the first, or when a counter went back
    in_bps = models.FloatField(null=True, blank=True)
    out_bps = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exporter", "if_index"], name="flows_one_counter_per_port")]

    def __str__(self) -> str:
        return f"{self.exporter} if{self.if_index}"

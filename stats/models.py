from django.db import models


class Agent(models.Model):
    """A host that runs an agent and streams its own statistics (credentials: `manage.py agents`)."""

    name = models.CharField(max_length=255, unique=True)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    # The id of the last stream entry written to history, in the same transaction as the
    # values: an entry read again after a crash is recognised and not written twice.
    stream_position = models.CharField(max_length=40, blank=True, default="", editable=False)
    # The lease token of the ingest process that last wrote it (stats.shards): a process that
    # lost the stream to another while frozen finds a newer token here, and its write is dropped.
    ingest_fence = models.BigIntegerField(default=0, editable=False)
    # SHA-256 of its Redis password (the password itself is shown once and kept nowhere),
    # so that its Redis user can be made again after Redis restarted without it.
    password_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """One stored time series: a metric of a source, e.g. net.rx_bps of agent:web-1 on eth0.

    The source is "agent:<name>" or "check:<id>". It is text, not a foreign key, so
    that history outlives a re-registered agent and is removed by retention alone.
    """

    source = models.CharField(max_length=300)
    metric = models.CharField(max_length=50)
    label = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "metric", "label"], name="one_series_per_key")]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.source} {self.metric}{f'[{self.label}]' if self.label else ''}"


class Block(models.Model):
    """A compressed block of one series: values of a raw hour, or buckets of a day or 30 days.

    What it holds and how it is packed: stats.history.blocks. The primary key is
    (series, start): the blocks of many series over a range are one index scan.
    """

    pk = models.CompositePrimaryKey("series", "start")
    # No index of its own: the primary key starts with it.
    series = models.ForeignKey(Series, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+")
    start = models.IntegerField(help_text="unix seconds; what the block holds is at or after it, within its span")
    data = models.BinaryField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"series {self.series_id} from {self.start}"


class RawBlock(Block):
    """Per-second values within one hour. Writers add small blocks; the rollup task merges an hour's into one."""

    class Meta:
        indexes = [models.Index(fields=["start"], name="rawblock_start")]


class MinuteBlock(Block):
    """1-minute buckets within one UTC day, one block per series and day."""

    class Meta:
        indexes = [models.Index(fields=["start"], name="minuteblock_start")]


class HourBlock(Block):
    """1-hour buckets within 30 days (from a multiple of 30 days since 1970), one block per series and span."""

    class Meta:
        indexes = [models.Index(fields=["start"], name="hourblock_start")]


class RollupCursor(models.Model):
    """How far a tier is rolled up, the oldest bucket that late data made stale, and how far an hour's close
    spread over runs has got (stats.history.rollup)."""

    tier = models.CharField(max_length=10, unique=True)
    done_until = models.IntegerField(default=0, help_text="unix seconds; buckets before it are rolled up")
    redo_from = models.IntegerField(null=True, blank=True, help_text="unix seconds; roll up again from here")
    closing_from = models.BigIntegerField(
        default=0, help_text="series id; the hour from done_until is rolled up for the series before it (hour tier)"
    )

    def __str__(self) -> str:
        return f"{self.tier} rolled up until {self.done_until}"


class RejectedFrame(models.Model):
    """A stream entry the ingest set aside instead of writing (stats.frame_checks says why).

    The newest KEEP_PER_AGENT per agent are kept, for an admin to see what was sent;
    RejectedCount counts them all.
    """

    KEEP_PER_AGENT = 100

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="rejected_frames")
    entry_id = models.CharField(max_length=40)
    reason = models.CharField(max_length=20)
    detail = models.CharField(max_length=300, blank=True, default="")
    text = models.TextField(blank=True, default="", help_text="the entry as sent, cut at 2,000 characters")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agent} {self.entry_id}: {self.reason}"


class RejectedCount(models.Model):
    """How many of an agent's entries were set aside, per reason, since it was added."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="rejected_counts")
    reason = models.CharField(max_length=20)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "reason"], name="one_count_per_agent_and_reason")]
        ordering = ["agent", "reason"]

    def __str__(self) -> str:
        return f"{self.agent} {self.reason}: {self.count}"

"""Teams, their on-call schedules (rotations in layers, overrides) and escalation policies.

Alerts are routed to teams from the alerts app (AlertRule.recipient_teams and
escalation_policy): this app knows nothing of alerts.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n.zones import local_text, validate_time_zone
from monitor.models import Tag


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    # Alerts about hosts with these tags go to the team (alerts.audience).
    tags = models.ManyToManyField(Tag, blank=True, related_name="teams")
    directory_group = models.CharField(
        max_length=500, blank=True, help_text=_("Members of this directory group (its DN) join the team at sign-in.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Schedule(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    class Meta:
        ordering = ["team__name", "name"]

    def __str__(self) -> str:
        return f"{self.team} · {self.name}"


class Rotation(models.Model):
    """A layer of a schedule: its participants take turns, handing off at `handoff` in the schedule's zone."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="rotations")
    name = models.CharField(max_length=100)
    layer = models.PositiveSmallIntegerField(default=0, help_text=_("The highest layer with someone on call wins."))
    first_day = models.DateField(help_text=_("The first participant's first shift begins at the handoff on this day."))
    handoff = models.TimeField(help_text=_("Local time in the schedule's zone."))
    length_days = models.PositiveSmallIntegerField(default=7, help_text=_("Days in one shift (7: weekly)."))

    class Meta:
        ordering = ["-layer", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.length_days == 0:
            raise ValidationError({"length_days": _("A shift lasts at least one day.")})


class Participant(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}: {self.user}"


class Override(models.Model):
    """Someone takes a schedule's on-call from `start` to `end` ("I take Saturday")."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.user} {local_text(self.start)}–{local_text(self.end)}"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("An override ends after it starts.")})


class EscalationPolicy(models.Model):
    """Who is told of a firing alert, one level after another until someone acknowledges."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="escalation_policies")
    name = models.CharField(max_length=100)
    repeats = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many more times the levels are gone through when nobody acknowledges.")
    )

    class Meta:
        verbose_name_plural = "escalation policies"
        ordering = ["team__name", "name"]

    def __str__(self) -> str:
        return f"{self.team} · {self.name}"


class EscalationLevel(models.Model):
    """One step: after `delay_s` without an acknowledgement, tell the schedule's on-call person,
    a person, or the whole team."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(default=0)
    delay_s = models.PositiveIntegerField(
        "after (s)", default=0, help_text=_("Seconds after the previous level (the first: after firing).")
    )
    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    whole_team = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}: {self.schedule or self.person or (_('the whole team') if self.whole_team else '–')}"

    def clean(self) -> None:
        if sum([self.schedule_id is not None, self.person_id is not None, self.whole_team]) != 1:
            raise ValidationError(
                _("A level tells exactly one of: a schedule's on-call person, a person, the whole team.")
            )


class CalendarFeed(models.Model):
    """The calendar of `team`, or of `owner`'s own shifts when no team is set, at a secret address:
    a calendar application cannot sign in. Only the secret's SHA-256 digest is kept; it is shown once."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.team or self.owner} calendar"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def generate(self) -> str:
        secret = secrets.token_urlsafe(32)
        self.digest = self.hash(secret)
        return secret

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from alerts import visibility
from alerts.messages import event_text
from alerts.models import AlertEvent, Severity
from core.contracts.groups import alert_room_name

PAGE = 200


@login_required
def alert_history(request):
    """The user's alert events (everyone's for admins), newest first, with filters."""
    events = AlertEvent.objects.select_related("alert__rule", "by", "to").order_by("-created_at", "-id")
    events = visibility.visible(events, request.user, prefix="alert__")
    filters = {key: request.GET.get(key, "").strip() for key in ("kind", "severity", "q", "from", "to", "alert")}
    if filters["alert"].isdigit():  # one alert's timeline: fired, who was told when, who acknowledged
        events = events.filter(alert_id=int(filters["alert"]))
    if filters["kind"] in AlertEvent.Kind.values:
        events = events.filter(kind=filters["kind"])
    if filters["severity"] in Severity.values:
        events = events.filter(alert__rule__severity=filters["severity"])
    if filters["q"]:
        events = events.filter(
            Q(alert__rule__name__icontains=filters["q"]) | Q(alert__subject_label__icontains=filters["q"])
        )
    for key, bound, lookup in (("from", time.min, "gte"), ("to", time.max, "lte")):
        try:
            day = datetime.strptime(filters[key], "%Y-%m-%d").date() if filters[key] else None
        except ValueError:
            day = None
        if day:
            events = events.filter(**{f"created_at__{lookup}": timezone.make_aware(datetime.combine(day, bound))})
    shown = list(events[:PAGE])
    for event in shown:
        event.room = alert_room_name(event.alert_id)  # each alert has its own chat room
        event.text = event_text(event)  # in the reader's language
    context = {
        "events": shown,
        "filters": filters,
        "kinds": AlertEvent.Kind.choices,
        "severities": Severity.choices,
        "page": PAGE,
    }
    return render(request, "alerts.html", context)

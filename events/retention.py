"""Deleting events kept no longer: older than EVENTS_RETENTION_DAYS, then the oldest past EVENTS_MAX_ROWS."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.pruning import delete_in_batches
from events.models import Event


def prune() -> int:
    """Returns how many events were deleted."""
    cutoff = timezone.now() - timedelta(days=settings.EVENTS_RETENTION_DAYS)
    deleted = delete_in_batches(Event.objects.filter(received_at__lt=cutoff))
    # The newest EVENTS_MAX_ROWS stay: the id of the first one past them bounds what goes.
    over = Event.objects.order_by("-id").values_list("id", flat=True)[
        settings.EVENTS_MAX_ROWS : settings.EVENTS_MAX_ROWS + 1
    ]
    if first_over := list(over):
        deleted += delete_in_batches(Event.objects.filter(id__lte=first_over[0]))
    return deleted

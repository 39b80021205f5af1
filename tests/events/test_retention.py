from datetime import timedelta

from django.utils import timezone

from events.models import Event
from events.tasks import prune_events


def make(count: int, age: timedelta) -> None:
    at = timezone.now() - age
    Event.objects.bulk_create(Event(source="198.18.0.1", kind="syslog", text="x", received_at=at) for _ in range(count))


def test_it_deletes_events_older_than_the_retention(db, settings):
    settings.EVENTS_RETENTION_DAYS = 7
    make(3, timedelta(days=8))
    make(2, timedelta(days=6))
    assert prune_events() == 3
    assert Event.objects.count() == 2


def test_it_keeps_only_the_newest_rows_past_the_limit(db, settings):
    settings.EVENTS_MAX_ROWS = 1000
    make(1005, timedelta(minutes=5))
    newest = list(Event.objects.order_by("-id").values_list("id", flat=True)[:1000])
    assert prune_events() == 5
    assert sorted(Event.objects.values_list("id", flat=True)) == sorted(newest)

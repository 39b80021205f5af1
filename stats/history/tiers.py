"""The configured tiers, finest first; retentions come from settings so they can change per install."""

from django.conf import settings

from stats.history.buckets import Tier

DAY = 86_400


def configured() -> list[Tier]:
    return [
        Tier("raw", 1, settings.HISTORY_RAW_DAYS * DAY),
        Tier("minute", 60, settings.HISTORY_MINUTE_DAYS * DAY),
        Tier("hour", 3600, settings.HISTORY_HOUR_DAYS * DAY),
    ]

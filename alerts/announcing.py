"""An alert event as the browsers of the people told get it: one frame per language."""

import json

from django.utils import translation

from alerts.messages import event_text
from alerts.models import Alert, AlertEvent
from core.contracts.groups import ALERT_FRAME, alerts_user_group
from core.contracts.protocol import frame
from core.i18n.languages import languages_of
from core.redis_io.publisher import Frame

# ({recipient user id: their language}, event id, {language: encoded frame})
Announcement = tuple[dict[int, str], int, dict[str, str]]


def alert_fields(alert: Alert, event: AlertEvent) -> dict:
    """The alert as the browser gets it, its message in the active language."""
    return {
        "id": alert.pk,
        "rule": alert.rule.name,
        "severity": alert.rule.severity,
        "subject": alert.subject_label,
        "state": alert.state,
        "value": alert.value,
        "since": alert.since.timestamp(),
        "message": event_text(event),
        "acknowledged_by": alert.acknowledged_by.get_username() if alert.acknowledged_by else None,
    }


def announcement(users: list[int], event_kind: str, alert: Alert, event: AlertEvent) -> Announcement:
    """One frame per language among the recipients, each user getting theirs."""
    languages = languages_of(users)
    texts = {}
    for language in set(languages.values()):
        with translation.override(language):
            texts[language] = json.dumps(frame("alert", event=event_kind, alert=alert_fields(alert, event)))
    return languages, event.pk, texts


def frames_for(announcements: list[Announcement]) -> list[Frame]:
    return [
        (alerts_user_group(user), ALERT_FRAME, texts[language])
        for users, _event, texts in announcements
        for user, language in users.items()
    ]

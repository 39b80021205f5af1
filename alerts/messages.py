"""Alert texts in the reader's language.

The stored AlertEvent.message is written once, in LANGUAGE_CODE, for the API and exports.
What a person reads (the bell, toasts, the alerts page, notifications) is written again from
the event's fields in their own language, so one alert reaches an English and a Chinese
recipient each in theirs.
"""

from django.utils.translation import gettext as _


def transition_text(rule, subject_label: str, kind: str, value: float | None) -> str:
    values = {
        "severity": rule.get_severity_display(),  # "Warning", "警告"
        "rule": rule.name,
        "subject": subject_label,
        "metric": rule.get_metric_display(),
        "value": "–" if value is None else f"{value:g}",
    }
    if kind == "firing":
        text = _("[%(severity)s] %(rule)s FIRING on %(subject)s: %(metric)s = %(value)s") % values
    else:
        text = _("[%(severity)s] %(rule)s resolved on %(subject)s: %(metric)s = %(value)s") % values
    return text[:500]


def acknowledgement_text(rule, subject_label: str, username: str) -> str:
    values = {"rule": rule.name, "subject": subject_label, "user": username}
    return (_("%(rule)s on %(subject)s acknowledged by %(user)s") % values)[:500]


def held_text(rule, subject_label: str, via: str) -> str:
    return (_("%(rule)s on %(subject)s held: unreachable via %(via)s") % {
        "rule": rule.name, "subject": subject_label, "via": via})[:500]  # fmt: skip


def behind_text(text: str, behind: int) -> str:
    """A root cause's firing text, with how many hosts are held behind it."""
    return (text + " " + _("(root cause: %(count)s unreachable behind it)") % {"count": behind})[:500]


def told_text(firing: str, level: int | None, username: str) -> str:
    values = {"firing": firing, "level": level or "?", "user": username}
    return (_("%(firing)s (escalation level %(level)s: %(user)s told)") % values)[:500]


def event_text(event) -> str:
    """`event` (with alert__rule, by and to loaded) in the active language."""
    alert = event.alert
    if event.kind == "notified":
        firing = transition_text(alert.rule, alert.subject_label, "firing", event.value)
        return told_text(firing, event.level, event.to.get_username() if event.to else "?")
    if event.kind == "acknowledged":
        username = event.by.get_username() if event.by else "?"
        return acknowledgement_text(alert.rule, alert.subject_label, username)
    if event.kind == "held":
        return held_text(alert.rule, alert.subject_label, event.via)
    text = transition_text(alert.rule, alert.subject_label, event.kind, event.value)
    return behind_text(text, event.behind) if event.behind else text

"""The rules a new installation starts with, sent to the first administrator; each one editable and deletable.

Installed once, when the first account is made (the /setup/ page, or `manage.py
default_rules <username>` after NETMON_ADMIN_PASSWORD made one), and only while there
is no rule at all: an installation that deleted them does not get them back.
"""

from django.db import transaction

from alerts.models import AlertRule, Comparison, Severity

DEFAULT_RULES = (
    {"name": "Host down", "metric": "host_down", "comparison": Comparison.AT_LEAST, "threshold": 1,
     "for_seconds": 60, "severity": Severity.CRITICAL},
    {"name": "Agent offline", "metric": "agent_offline", "comparison": Comparison.AT_LEAST, "threshold": 1,
     "for_seconds": 0, "severity": Severity.CRITICAL},
    {"name": "Disk above 90 %", "metric": "disk_percent", "comparison": Comparison.ABOVE, "threshold": 90,
     "recovery_threshold": 85, "for_seconds": 300, "severity": Severity.WARNING},
    {"name": "Certificate expires within 14 days", "metric": "cert_days_left", "comparison": Comparison.BELOW,
     "threshold": 14, "for_seconds": 0, "severity": Severity.WARNING},
    {"name": "Device port down", "metric": "ports_down", "comparison": Comparison.AT_LEAST, "threshold": 1,
     "for_seconds": 60, "severity": Severity.WARNING},
)  # fmt: skip


def install(recipient) -> list[AlertRule]:
    """The default rules, each sent to `recipient`; none when any rule exists already."""
    with transaction.atomic():
        if AlertRule.objects.select_for_update().exists():
            return []
        made = [AlertRule.objects.create(**fields) for fields in DEFAULT_RULES]
        for rule in made:
            rule.recipients.add(recipient)
    return made

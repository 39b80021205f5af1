# The alerts app's changes for events, probes, on-call, root cause and agent-scoped rules, joined.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0006_event_conditions"),
        ("alerts", "0006_probe_offline"),
        ("alerts", "0006_routing_to_teams_and_escalation"),
        ("alerts", "0006_rule_agent_scope"),
        ("alerts", "0007_alertevent_behind_alertevent_via_alter_alert_state_and_more"),
    ]

    operations = []

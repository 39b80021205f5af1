"""A database made before the apps were split migrates to the new layout with every row intact.

The database is taken back to the migrations of the single-app layout (monitor 0004,
stats 0002), filled through the models of that time (every table: hosts, checks,
results, alerts, events, notifications, chat, tokens, history), then migrated forward.
Every table must read back exactly as it was; only the content types move to the apps
that own the models now, taking their permissions with them.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alerts.models import AlertRule, Notification
from api.models import ApiToken
from chat.models import ChatMessage
from monitor.models import Check
from stats.history import blocks
from stats.history.query import stored_values
from stats.models import Agent, HourBlock, MinuteBlock, RollupCursor
from status.models import UptimeHour

BEFORE_SPLIT = [
    ("monitor", "0004_api_tokens"),
    ("stats", "0002_history_tiers"),
    ("alerts", None),
    ("chat", None),
    ("api", None),
    ("status", None),
]
MOVED = {"alerts": ["alertrule", "alert", "alertevent", "notification"], "chat": ["chatroom", "chatmessage"],
         "api": ["apitoken"]}  # fmt: skip
AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def migrate(targets=None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor


def fill(apps) -> None:
    """A row in every table, through the models as they were before the split."""
    model = apps.get_model
    user = model("auth", "User").objects.create(username="ops", password="!")
    group = model("auth", "Group").objects.create(name="operators")
    group.permissions.add(model("auth", "Permission").objects.get(codename="add_chatroom"))
    user.groups.add(group)
    tag = model("monitor", "Tag").objects.create(name="prod")
    host = model("monitor", "Host").objects.create(name="web-1", address="127.0.0.1", status="up")
    host.tags.add(tag)
    check = model("monitor", "Check").objects.create(host=host, kind="tcp", port=22, status="up")
    model("monitor", "CheckResult").objects.create(
        host_check=check, host=host, scheduled_at=AT, started_at=AT, status="up", latency_ms=1.5, details={"port": 22}
    )
    model("monitor", "MaintenanceWindow").objects.create(host=host, starts_at=AT, ends_at=AT.replace(hour=9))
    rule = model("monitor", "AlertRule").objects.create(name="cpu high", metric="cpu_percent", threshold=90, tag=tag)
    rule.recipients.add(user)
    rule.recipient_groups.add(group)
    alert = model("monitor", "Alert").objects.create(
        rule=rule, subject="agent:web-1", subject_label="web-1", state="firing", value=95
    )
    event = model("monitor", "AlertEvent").objects.create(alert=alert, kind="firing", value=95, message="cpu high")
    target = model("monitor", "NotificationTarget").objects.create(user=user, url="json://127.0.0.1:9/")
    notification = model("monitor", "Notification").objects.create(event=event, target=target, attempts=1)
    model("monitor", "NotificationAttempt").objects.create(notification=notification, ok=False, error="refused")
    room = model("monitor", "ChatRoom").objects.create(name="机房")
    model("monitor", "ChatMessage").objects.create(room=room, author=user, text="disk 95% on web-1")
    model("monitor", "ApiToken").objects.create(user=user, name="prometheus", digest="d" * 64, hint="nwm_abcd")
    agent = model("stats", "Agent").objects.create(name="web-1", last_seen=AT)
    series = model("stats", "Series").objects.create(source=f"agent:{agent.name}", metric="cpu.percent")
    model("stats", "RawChunk").objects.create(series=series, start=1_763_625_600, values=b"\x00\x00\x80?" * 4)
    model("stats", "MinuteRollup").objects.create(series=series, ts=1_763_625_600, min=1, avg=2, max=3, count=4)
    model("stats", "HourRollup").objects.create(series=series, ts=1_763_625_600, min=1, avg=2, max=3, count=60)
    model("stats", "RollupCursor").objects.create(tier="minute", done_until=1_763_625_660)


# SQLite's full-text search over events keeps tables of its own (events.fts).
EVENTS_SEARCH_TABLES = {
    "sqlite": [f"events_event_fts{part}" for part in ("", "_data", "_idx", "_docsize", "_config")],
}


def snapshot(added_columns: dict[str, int] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table but the two that migrating itself changes.

    `added_columns`: table -> how many columns later migrations appended (left out).
    """
    added_columns = added_columns or {}
    with connection.cursor() as cursor:
        tables = sorted(
            set(connection.introspection.table_names(cursor)) - {"django_migrations", "django_content_type"}
        )
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            kept = len(cursor.description) - added_columns.get(table, 0)
            rows[table] = sorted(repr(row[:kept]) for row in cursor.fetchall())
    return rows


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_keeps_every_row():
    old_apps = migrate(BEFORE_SPLIT).loader.project_state(BEFORE_SPLIT[:2]).apps
    fill(old_apps)
    before = snapshot()
    assert all(before[table] for table in ("monitor_chatmessage", "monitor_notificationattempt", "stats_rawchunk"))

    migrate()

    # stats 0003 adds each agent's stream position and password digest (empty for agents from before),
    # stats 0008 its ingest lease's fencing token (0), stats 0010 how far an hour's close has got (0);
    # monitor 0010 moves a check's kind-specific columns into its settings (read back below);
    # chat 0002 adds each message's client id (none for messages from before);
    # monitor 0012 adds a host's site and a result's site (none: the centre ran it);
    # alerts 0006 adds a rule's escalation policy and an event's escalation level and person told (none before),
    # and each rule's agent (empty: no rule from before watches one agent);
    # alerts 0007 the parent an event was held behind and how many were behind a root cause (none, 0).
    after = snapshot(added_columns={"stats_agent": 3, "stats_rollupcursor": 1, "monitor_chatmessage": 1, "monitor_host": 1,
                                    "monitor_checkresult": 1, "monitor_alertrule": 2,
                                    "monitor_alertevent": 4})  # fmt: skip
    del before["monitor_check"], after["monitor_check"]
    check = Check.objects.select_related("host").get()
    assert (check.host.name, check.kind, check.status, check.settings) == ("web-1", "tcp", "up", {"port": 22})
    # stats 0005 converts history into compressed blocks (every value: tests/stats/test_history_conversion.py).
    history = {"stats_rawchunk", "stats_minuterollup", "stats_hourrollup"}
    assert not history & after.keys()
    before = {table: rows for table, rows in before.items() if table not in history}
    assert set(Agent.objects.values_list("stream_position", "password_digest")) == {("", "")}
    assert list(RollupCursor.objects.values_list("closing_from", flat=True)) == [0]
    # The roles migration adds the viewer, operator and admin groups and their permissions.
    role_tables = ("auth_group", "auth_group_permissions", "auth_permission")
    assert {t: rows for t, rows in after.items() if t not in role_tables and t in before} == {
        t: rows for t, rows in before.items() if t not in role_tables
    }
    # Tables of later features are new (and empty but the ledger); the result kept so far is
    # counted into the uptime ledger, as maintenance: it started inside the host's maintenance window.
    assert {t for t in after if t not in before} == {
        "status_statuspage", "status_statuspage_hosts", "status_statuspage_tags", "status_notice", "status_uptimehour",
        "accounts_preferences", "stats_rawblock", "stats_minuteblock", "stats_hourblock", "monitor_device",
        "monitor_interface", "monitor_neighbour", "monitor_claimedslot", "stats_rejectedframe", "stats_rejectedcount",
        "monitor_hostimport", "events_event", "events_unknownsource", "events_sourcemapping", "events_trapuser",
        "events_vendormib", "alerts_eventcondition", *EVENTS_SEARCH_TABLES.get(connection.vendor, ()), "alerts_flowcondition",
        "monitor_routingsession", "monitor_forwardingentry", "monitor_addressentry",
        "monitor_inventoryitem", "monitor_inventoryevent", "discovery_plan", "discovery_credentialset",
        "discovery_candidate", "discovery_parentpin", "monitor_vlan", "flows_talker", "flows_portcounters",
        "monitor_site", "monitor_check_sites", "probes_probe", "probes_sitecheckstate",
        "oncall_team", "oncall_team_members", "oncall_team_tags", "oncall_schedule",
        "oncall_rotation", "oncall_participant", "oncall_override", "oncall_escalationpolicy", "oncall_escalationlevel",
        "monitor_alertrule_recipient_teams", "alerts_escalation", "oncall_calendarfeed", "accounts_signinpolicy",
    }  # fmt: skip
    hour = UptimeHour.objects.get()
    assert (hour.hour, hour.opened_at, hour.maintenance_s, hour.up_s, hour.latency_count) == (AT, AT, 60, 0, 1)
    for table in role_tables:
        assert set(before[table]) <= set(after[table])
    content_types = old_apps.get_model("contenttypes", "ContentType").objects
    for app, models in MOVED.items():
        assert set(content_types.filter(model__in=models).values_list("app_label", flat=True)) == {app}
    # Read through today's models: the rows are where the new apps look for them.
    message = ChatMessage.objects.select_related("room", "author").get()
    assert (message.room.name, message.author.username, message.text) == ("机房", "ops", "disk 95% on web-1")
    notification = Notification.objects.select_related("event__alert__rule").get()
    assert notification.event.alert.rule.name == "cpu high"
    assert list(AlertRule.objects.get().recipients.values_list("username", flat=True)) == ["ops"]
    assert ApiToken.objects.get().hint == "nwm_abcd"
    assert stored_values(MinuteBlock.objects.get().series_id) == [(1_763_625_600 + second, 1.0) for second in range(4)]
    for model, count in ((MinuteBlock, 4), (HourBlock, 60)):
        block = model.objects.get()
        summary = blocks.decode_summaries(block.start, block.data)
        assert [c.tolist() for c in summary.columns()] == [[1_763_625_600], [1.0], [2.0], [3.0], [count]]
    # A permission granted on a moved model is still granted, under the model's new app.
    assert get_user_model().objects.get(username="ops").has_perm("chat.add_chatroom")

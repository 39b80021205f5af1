"""Escalation: level after level until someone acknowledges; with the real worker and short timers."""

import time
from datetime import date, timedelta
from datetime import time as clock

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from accounts import roles
from alerts import escalation, recording, tasks
from alerts.evaluator import Evaluator
from alerts.models import Alert, AlertEvent, Escalation
from core.contracts.metrics import AGENT_ALERT_METRICS
from oncall.models import EscalationLevel, EscalationPolicy, Participant, Rotation, Schedule, Team
from tests import processes
from tests.alerts.test_alerts import alert_socket, fire, make_rule
from tests.conftest import socket
from tests.roles import user_with_role
from tests.servers import wait_for
from tests.waits import EVENT_TIMEOUT_S

SECOND_LEVEL_S = 2  # short timers: the second level two seconds after the first, the third two after that
THIRD_LEVEL_S = 2


def on_call_team():
    """ann is on call (the team's schedule), ben the second level, cat the third."""
    people = {name: user_with_role(name, roles.OPERATOR) for name in ("ann", "ben", "cat")}
    team = Team.objects.create(name="network")
    team.members.set(people.values())
    schedule = Schedule.objects.create(team=team, name="primary", time_zone="Europe/Berlin")
    weekly = Rotation.objects.create(schedule=schedule, name="weekly", first_day=date(2026, 1, 5), handoff=clock(9))
    Participant.objects.create(rotation=weekly, user=people["ann"])
    policy = EscalationPolicy.objects.create(team=team, name="default")
    EscalationLevel.objects.create(policy=policy, position=0, schedule=schedule)
    EscalationLevel.objects.create(policy=policy, position=1, delay_s=SECOND_LEVEL_S, person=people["ben"])
    EscalationLevel.objects.create(policy=policy, position=2, delay_s=THIRD_LEVEL_S, person=people["cat"])
    make_rule(escalation_policy=policy)
    return people


def told(username: str) -> list[AlertEvent]:
    return list(AlertEvent.objects.filter(kind=AlertEvent.Kind.NOTIFIED, to__username=username))


@pytest.mark.pipeline
@pytest.mark.django_db(transaction=True)
async def test_nobody_acknowledges_the_second_level_is_told_and_an_acknowledgement_stops_the_third():
    people = await database_sync_to_async(on_call_team)()
    bell = await alert_socket(people["ben"])
    assert (await bell.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "alerts"  # none open yet
    with processes.tasks_worker(processes.agent_name("escalation")):
        await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
        await database_sync_to_async(wait_for)(lambda: told("ann"), EVENT_TIMEOUT_S, "the on-call person told")
        await database_sync_to_async(wait_for)(lambda: told("ben"), EVENT_TIMEOUT_S, "the second level told")
        first, second = await database_sync_to_async(lambda: (told("ann"), told("ben")))()
        assert second[0].created_at - first[0].created_at >= timedelta(seconds=SECOND_LEVEL_S)
        page = await bell.receive_json_from(timeout=EVENT_TIMEOUT_S)
        assert (page["event"], page["alert"]["state"]) == ("firing", "firing")
        assert "escalation level 2: ben told" in page["alert"]["message"]

        await bell.send_json_to({"type": "ack", "id": page["alert"]["id"]})  # from the bell
        acknowledged = await bell.receive_json_from(timeout=EVENT_TIMEOUT_S)
        assert (acknowledged["event"], acknowledged["alert"]["acknowledged_by"]) == ("acknowledged", "ben")
        run = await database_sync_to_async(Escalation.objects.get)()
        assert run.state == Escalation.State.STOPPED
        # Something that must not happen: waited for just past the moment it was due.
        time.sleep(max(0.0, (run.due_at - timezone.now()).total_seconds()) + 2)
        assert await database_sync_to_async(told)("cat") == []
    await bell.disconnect()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_tells_a_level_whose_task_was_lost_once():
    on_call_team()
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
    assert tasks.escalate_due() == 1  # the first level is due at once
    assert tasks.escalate_due() == 0  # the second is not due yet
    Escalation.objects.update(due_at=timezone.now())
    assert tasks.escalate_due() == 1
    assert tasks.escalate_due() == 0
    assert [len(told(name)) for name in ("ann", "ben", "cat")] == [1, 1, 0]


@pytest.mark.django_db(transaction=True)
def test_it_goes_round_again_as_often_as_the_policy_repeats_and_stops_when_resolved():
    people = on_call_team()
    EscalationPolicy.objects.update(repeats=1)
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
    for _ in range(7):
        Escalation.objects.update(due_at=timezone.now())
        escalation.due_escalations() and tasks.escalate_due()
    assert [len(told(name)) for name in people] == [2, 2, 2]
    assert Escalation.objects.get().state == Escalation.State.DONE

    Alert.objects.update(state="ok")
    evaluator = Evaluator(AGENT_ALERT_METRICS)
    fire(evaluator, "agent:web-1", 90)
    assert Escalation.objects.filter(state=Escalation.State.ACTIVE).count() == 1
    fire(evaluator, "agent:web-1", 10)  # resolved
    assert not Escalation.objects.filter(state=Escalation.State.ACTIVE).exists()


@pytest.mark.django_db(transaction=True)
def test_the_team_of_the_policy_may_see_and_acknowledge_but_an_outsider_may_not():
    people = on_call_team()
    outsider = user_with_role("dan", roles.OPERATOR)
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
    alert = Alert.objects.get()
    with pytest.raises(recording.NotYours):
        recording.acknowledge(alert.pk, outsider)
    recording.acknowledge(alert.pk, people["cat"])
    assert Alert.objects.get().acknowledged_by == people["cat"]
    assert Escalation.objects.get().state == Escalation.State.STOPPED


@pytest.mark.django_db(transaction=True)
def test_acknowledging_through_the_api_stops_the_escalation():
    from django.test import Client

    people = on_call_team()
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
    client = Client(HTTP_HOST="localhost")
    client.force_login(people["ann"])
    alert = Alert.objects.get()
    response = client.post(f"/api/alerts/{alert.pk}/acknowledge/")
    assert (response.status_code, response.json()) == (200, {"id": alert.pk, "acknowledged_by": "ann"})
    assert Escalation.objects.get().state == Escalation.State.STOPPED
    assert client.post(f"/api/alerts/{alert.pk + 1}/acknowledge/").status_code == 404


@pytest.mark.django_db(transaction=True)
async def test_ack_in_the_alerts_chat_room_stops_the_escalation():
    people = await database_sync_to_async(on_call_team)()
    await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
    alert = await database_sync_to_async(Alert.objects.get)()
    room = await socket(f"/ws/chat/alert-{alert.pk}/", people["cat"])
    assert (await room.connect())[0]
    assert (await room.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "history"
    await room.send_json_to({"type": "message", "text": "/ack", "client_id": "1"})
    while (await room.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] != "saved":
        pass
    await room.disconnect()
    acknowledged = await database_sync_to_async(Alert.objects.select_related("acknowledged_by").get)()
    assert acknowledged.acknowledged_by.username == "cat"
    assert (await database_sync_to_async(Escalation.objects.get)()).state == Escalation.State.STOPPED


@pytest.mark.django_db(transaction=True)
def test_the_alerts_timeline_shows_who_was_told_when_and_who_acknowledged():
    from django.test import Client

    people = on_call_team()
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
    tasks.escalate_due()
    recording.acknowledge(Alert.objects.get().pk, people["ann"])
    client = Client(HTTP_HOST="localhost")
    client.force_login(people["ben"])
    page = client.get(f"/alerts/?alert={Alert.objects.get().pk}").content.decode()
    rows = [row.split('data-kind="')[1].split('"')[0] for row in page.split("<tr ")[1:]]
    assert rows == ["acknowledged", "notified", "firing"]
    assert "escalation level 1: ann told" in page
    assert "acknowledged by ann" in page

"""Roles, alert visibility, and sockets that follow the account (against the real Redis layer)."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts import roles
from alerts.models import Alert, AlertRule
from api.models import ApiToken
from chat import rooms
from chat.models import ChatRoom
from core.contracts.groups import CLOSE_RECONNECT, CLOSE_UNAUTHENTICATED
from tests.conftest import session_cookie, socket
from tests.roles import user_with_role
from tests.waits import EVENT_TIMEOUT_S


def test_the_roles_are_groups_with_exactly_their_permissions(db):
    def codenames(role: str) -> set[str]:
        group = Group.objects.get(name=role)
        return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}

    viewer, operator, admin = codenames(roles.VIEWER), codenames(roles.OPERATOR), codenames(roles.ADMIN)
    assert all(name.split(".")[1].startswith("view_") for name in viewer)
    assert "monitor.view_host" in viewer
    assert operator - viewer == {
        "alerts.acknowledge_alert",
        "chat.add_chatmessage",
        "chat.add_chatroom",
        "monitor.run_check",
        "monitor.add_maintenancewindow",
        "status.add_notice",
        "status.change_notice",
        "status.delete_notice",
        "oncall.add_override",
    }
    assert {"monitor.add_host", "monitor.change_check", "alerts.delete_alertrule", "api.add_apitoken"} <= admin
    assert operator <= admin
    # Nobody but a superuser manages users and groups: that would let an admin make themselves one.
    assert not any(name.startswith(("auth.", "axes.", "sessions.")) for name in admin)


def alert_for(recipient) -> Alert:
    rule = AlertRule.objects.create(name="cpu", metric="cpu_percent", threshold=90)
    rule.recipients.add(recipient)
    return Alert.objects.create(rule=rule, subject="agent:web-1", subject_label="web-1", state="firing", value=95)


def test_an_alerts_room_and_recipients_are_for_its_recipients_and_admins(db):
    recipient = user_with_role("rita", roles.OPERATOR)
    other = user_with_role("otto", roles.OPERATOR)
    admin = user_with_role("ada", roles.ADMIN)
    alert = alert_for(recipient)
    for user, room_status, sees_recipients in ((recipient, 200, True), (other, 404, False), (admin, 200, True)):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        assert client.get(f"/chat/alert-{alert.pk}/").status_code == room_status, user
        [rule] = client.get("/api/alert-rules/").json()["results"]
        assert ("recipients" in rule) is sees_recipients, user
        if sees_recipients:
            assert rule["recipients"] == ["rita"]


@pytest.mark.django_db(transaction=True)
async def test_another_users_alert_room_socket_is_refused():
    recipient = await database_sync_to_async(user_with_role)("rita", roles.OPERATOR)
    other = await database_sync_to_async(user_with_role)("otto", roles.OPERATOR)
    alert = await database_sync_to_async(alert_for)(recipient)
    communicator = await socket(f"/ws/chat/alert-{alert.pk}/", other)
    await communicator.connect()
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {
        "type": "error",
        "message": "this alert's room is open to its recipients only",
    }
    assert (await communicator.receive_output(timeout=EVENT_TIMEOUT_S))["code"] == 4400
    mine = await socket(f"/ws/chat/alert-{alert.pk}/", recipient)
    await mine.connect()
    assert (await mine.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "history"
    await mine.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_viewer_reads_chat_but_cannot_post_open_rooms_or_acknowledge():
    viewer = await database_sync_to_async(user_with_role)("vera", roles.VIEWER)
    await database_sync_to_async(ChatRoom.objects.create)(name="ops")
    chat = await socket("/ws/chat/ops/", viewer)
    await chat.connect()
    assert (await chat.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "history"
    await chat.send_json_to({"type": "message", "text": "hello"})
    assert (await chat.receive_json_from(timeout=EVENT_TIMEOUT_S))[
        "message"
    ] == "Posting needs the operator role; viewers read."
    await chat.disconnect()

    new_room = await socket("/ws/chat/brand-new/", viewer)
    await new_room.connect()
    assert (
        "making rooms needs the operator role" in (await new_room.receive_json_from(timeout=EVENT_TIMEOUT_S))["message"]
    )
    assert not await database_sync_to_async(ChatRoom.objects.filter(name="brand-new").exists)()

    alert = await database_sync_to_async(alert_for)(viewer)
    alerts = await socket("/ws/alerts/", viewer)
    await alerts.connect()
    assert [
        a["id"] for a in (await alerts.receive_json_from(timeout=EVENT_TIMEOUT_S))["alerts"]
    ] == []  # no firing event yet
    await alerts.send_json_to({"type": "ack", "id": alert.pk})
    assert (await alerts.receive_json_from(timeout=EVENT_TIMEOUT_S))[
        "message"
    ] == "acknowledging alerts needs the operator role"
    await alerts.disconnect()


def test_writes_need_the_models_permission_whatever_the_token(db):
    viewer = user_with_role("vera", roles.VIEWER, is_staff=True)  # staff alone no longer writes
    token = ApiToken(user=viewer, name="w", read_only=False)
    secret = token.generate()
    token.save()
    response = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        "/api/hosts/", {"name": "x", "address": "127.0.0.1"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "admin role" in response.json()["detail"]
    viewer.user_permissions.add(Permission.objects.get(codename="add_host"))
    response = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        "/api/hosts/", {"name": "x", "address": "127.0.0.1"}, content_type="application/json"
    )
    assert response.status_code == 201


# --- sockets follow the account -----------------------------------------------------------


async def open_sockets(user, cookie: str | None = None):
    """The three sockets a dashboard tab holds, all past their greeting."""
    sockets = []
    for path in ("/ws/stats/", "/ws/alerts/", "/ws/echo/"):
        communicator = await socket(path, user, cookie=cookie)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "ping"})
        while (await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] != "pong":
            pass
        sockets.append(communicator)
    return sockets


async def closed_with(communicator) -> int:
    while True:
        message = await communicator.receive_output(timeout=EVENT_TIMEOUT_S)
        if message["type"] == "websocket.close":
            return message["code"]


@pytest.mark.django_db(transaction=True)
async def test_logging_out_closes_that_sessions_sockets_and_no_others(alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    tab = await open_sockets(alice, cookie)
    other_browser = await open_sockets(alice)

    def log_out():
        client = Client(HTTP_HOST="localhost")
        client.cookies["sessionid"] = cookie
        assert client.post("/accounts/logout/").status_code == 302

    await database_sync_to_async(log_out)()
    assert [await closed_with(s) for s in tab] == [CLOSE_UNAUTHENTICATED] * 3
    for communicator in other_browser:
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_deactivating_a_user_closes_every_socket_of_theirs(alice, bob):
    alices, bobs = await open_sockets(alice), await open_sockets(bob)

    def deactivate():
        alice.is_active = False
        alice.save()

    await database_sync_to_async(deactivate)()
    assert [await closed_with(s) for s in alices] == [CLOSE_UNAUTHENTICATED] * 3
    await bobs[0].send_json_to({"type": "ping"})
    assert await bobs[0].receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
    for communicator in bobs:
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_losing_a_role_makes_the_sockets_reconnect_with_the_new_rights(alice):
    await database_sync_to_async(ChatRoom.objects.create)(name="ops")
    chat = await socket("/ws/chat/ops/", alice)
    await chat.connect()
    assert (await chat.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "history"

    await database_sync_to_async(lambda: alice.groups.clear())()
    assert await closed_with(chat) == CLOSE_RECONNECT
    again = await socket("/ws/chat/ops/", alice)
    await again.connect()
    await again.receive_json_from(timeout=EVENT_TIMEOUT_S)  # history
    await again.send_json_to({"type": "message", "text": "still an operator?"})
    assert (await again.receive_json_from(timeout=EVENT_TIMEOUT_S))[
        "message"
    ] == "Posting needs the operator role; viewers read."
    await again.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_one_user_cannot_open_unbounded_sockets(alice, settings):
    settings.WS_MAX_SOCKETS_PER_USER = 3
    sockets = await open_sockets(alice)
    extra = await socket("/ws/stats/", alice)
    await extra.connect()
    assert (await extra.receive_json_from(timeout=EVENT_TIMEOUT_S))[
        "message"
    ] == "too many open sockets: at most 3 per user"
    assert await closed_with(extra) == 4429
    await sockets[0].disconnect()
    freed = await socket("/ws/stats/", alice)
    assert (await freed.connect())[0]
    await freed.send_json_to({"type": "ping"})
    assert await freed.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
    for communicator in [*sockets[1:], freed]:
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_echo_traffic_and_new_rooms_are_limited_per_user(alice, monkeypatch):
    echo = await socket("/ws/echo/", alice)
    await echo.connect()
    for i in range(25):
        await echo.send_json_to({"type": "note", "n": i})
    replies = [await echo.receive_json_from(timeout=EVENT_TIMEOUT_S) for _ in range(25)]
    assert [r["type"] for r in replies].count("echo") == 20
    assert {r["message"] for r in replies if r["type"] == "error"} == {"too many frames: at most 20 per second"}
    await echo.disconnect()

    monkeypatch.setattr(rooms, "NEW_ROOMS_PER_HOUR", 2)
    answers = []
    for name in ("one", "two", "three"):
        communicator = await socket(f"/ws/chat/{name}/", alice)
        await communicator.connect()
        answers.append(await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S))
        await communicator.disconnect()
    assert [a["type"] for a in answers] == ["history", "history", "error"]
    assert answers[2]["message"] == "too many new rooms: at most 2 an hour"
    names = await database_sync_to_async(lambda: sorted(ChatRoom.objects.values_list("name", flat=True)))()
    assert names == ["one", "two"]


@pytest.mark.django_db(transaction=True)
async def test_emptying_a_group_from_its_side_closes_its_members_sockets(alice, bob):
    alices, bobs = await open_sockets(alice), await open_sockets(bob)
    operators = await database_sync_to_async(Group.objects.get)(name=roles.OPERATOR)
    await database_sync_to_async(lambda: operators.user_set.clear())()
    assert [await closed_with(s) for s in alices + bobs] == [CLOSE_RECONNECT] * 6

    again = await open_sockets(alice)
    permission = await database_sync_to_async(Permission.objects.get)(codename="add_chatmessage")
    await database_sync_to_async(lambda: alice.user_permissions.add(permission))()
    assert [await closed_with(s) for s in again] == [CLOSE_RECONNECT] * 3
    again = await open_sockets(alice)
    await database_sync_to_async(lambda: permission.user_set.clear())()
    assert [await closed_with(s) for s in again] == [CLOSE_RECONNECT] * 3

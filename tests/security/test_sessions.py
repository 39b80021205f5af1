"""Open sockets end with their session: a password change, a deleted user or session closes them
(through the full ASGI stack and the real Redis channel layer), and what such a socket sent is not saved."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import HASH_SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client

from chat.models import ChatMessage, ChatRoom
from core.contracts.groups import CLOSE_RECONNECT, CLOSE_UNAUTHENTICATED
from tests.conftest import session_cookie, socket

PATHS = ("/ws/stats/", "/ws/alerts/", "/ws/echo/", "/ws/chat/ops/")
BOUND_S = 30  # generous: the machine may be busy


async def open_sockets(user, cookie: str | None = None) -> list:
    """A tab's sockets (dashboard, alerts, echo, the ops room), each past its greeting."""
    sockets = []
    for path in PATHS:
        communicator = await socket(path, user, cookie=cookie)
        assert (await communicator.connect(timeout=BOUND_S))[0]
        await communicator.send_json_to({"type": "ping"})
        while (await communicator.receive_json_from(timeout=BOUND_S))["type"] != "pong":
            pass
        sockets.append(communicator)
    return sockets


async def closed_with(communicator) -> int:
    while True:
        message = await communicator.receive_output(timeout=BOUND_S)
        if message["type"] == "websocket.close":
            return message["code"]


async def still_open(sockets: list) -> None:
    for communicator in sockets:
        await communicator.send_json_to({"type": "ping"})
        while (await communicator.receive_json_from(timeout=BOUND_S))["type"] != "pong":
            pass
        await communicator.disconnect()


async def posted_and_seen(chat, text: str) -> None:
    """`text` posted on `chat` and back in a "messages" frame: every earlier post of this room is dealt with."""
    await chat.send_json_to({"type": "message", "text": text})
    while True:
        frame = await chat.receive_json_from(timeout=BOUND_S)
        if frame["type"] == "messages" and text in [m["text"] for m in frame["messages"]]:
            return


def texts_saved() -> list[str]:
    return list(ChatMessage.objects.order_by("pk").values_list("text", flat=True))


@pytest.fixture
def ops_room(transactional_db):
    return ChatRoom.objects.create(name="ops")


@pytest.mark.django_db(transaction=True)
async def test_a_password_change_closes_the_old_sessions_sockets_and_saves_nothing_they_send(alice, bob, ops_room):
    alices, bobs = await open_sockets(alice), await open_sockets(bob)

    def change_password():
        alice.set_password("a new horse staple")
        alice.save()

    await database_sync_to_async(change_password)()
    await alices[3].send_json_to({"type": "message", "text": "sent after the change"})
    assert [await closed_with(s) for s in alices] == [CLOSE_UNAUTHENTICATED] * 4
    await posted_and_seen(bobs[3], "bob is still here")
    assert await database_sync_to_async(texts_saved)() == ["bob is still here"]
    await still_open(bobs)


@pytest.mark.django_db(transaction=True)
async def test_a_password_set_in_the_admin_closes_that_users_sockets_only(alice, ops_room):
    admin = await database_sync_to_async(get_user_model().objects.create_superuser)("root", password="root pass 1")
    alices, admins = await open_sockets(alice), await open_sockets(admin)

    def set_in_admin():
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)
        form = {"password1": "quite another 42", "password2": "quite another 42"}
        assert client.post(f"/admin/auth/user/{alice.pk}/password/", form).status_code == 302

    await database_sync_to_async(set_in_admin)()
    assert [await closed_with(s) for s in alices] == [CLOSE_UNAUTHENTICATED] * 4
    await still_open(admins)


@pytest.mark.django_db(transaction=True)
async def test_a_session_given_the_new_password_hash_keeps_its_sockets(alice, ops_room):
    cookie = await database_sync_to_async(session_cookie)(alice)
    kept, ended = await open_sockets(alice, cookie), await open_sockets(alice)

    def change_password_keeping_one_session():
        with transaction.atomic():  # the sockets hear of it on commit, the kept session updated by then
            alice.set_password("a new horse staple")
            alice.save()
            session = Session.objects.get(pk=cookie)
            data = session.get_decoded() | {HASH_SESSION_KEY: alice.get_session_auth_hash()}
            session.session_data = Session.objects.encode(data)
            session.save()

    await database_sync_to_async(change_password_keeping_one_session)()
    assert [await closed_with(s) for s in ended] == [CLOSE_UNAUTHENTICATED] * 4
    await still_open(kept)


@pytest.mark.django_db(transaction=True)
async def test_deleting_a_user_closes_their_sockets(alice, bob, ops_room):
    alices, bobs = await open_sockets(alice), await open_sockets(bob)
    await database_sync_to_async(alice.delete)()
    assert [await closed_with(s) for s in alices] == [CLOSE_UNAUTHENTICATED] * 4
    await still_open(bobs)


@pytest.mark.django_db(transaction=True)
async def test_a_session_deleted_elsewhere_closes_its_sockets_and_no_others(alice, ops_room):
    cookie = await database_sync_to_async(session_cookie)(alice)
    ended, other_browser = await open_sockets(alice, cookie), await open_sockets(alice)
    await database_sync_to_async(Session.objects.filter(pk=cookie).delete)()
    # Reconnecting: a browser whose session got a new key (cycle_key) carries it by now.
    assert [await closed_with(s) for s in ended] == [CLOSE_RECONNECT] * 4
    again = await socket("/ws/echo/", alice, cookie=cookie)
    assert (await again.connect(timeout=BOUND_S))[0]
    assert await closed_with(again) == CLOSE_UNAUTHENTICATED
    await still_open(other_browser)

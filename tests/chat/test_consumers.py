"""Echo and chat consumers through the full ASGI stack against the real Redis channel layer."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError

from chat import rooms
from chat.models import ChatMessage, ChatRoom
from core.redis_io.redis_clients import sync_redis
from tests.conftest import socket
from tests.waits import EVENT_TIMEOUT_S


async def connect(path: str, user):
    communicator = await socket(path, user)
    accepted, _ = await communicator.connect()
    assert accepted
    return communicator


async def nothing_more(communicator) -> None:
    """No frame arrives: probed with a ping, whose pong must be the next frame."""
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}


@pytest.fixture
def dotted(transactional_db):
    return get_user_model().objects.create_user("a.b+ops@x", password="yet another one")


@pytest.fixture(autouse=True)
def clean_chat_keys():
    """No presence or rate state left over in Redis from other tests."""
    client = sync_redis()
    yield
    for key in client.scan_iter(match="netmon-test:chat:*"):
        client.delete(key)


# --- echo ------------------------------------------------------------------------------


async def test_echo_reaches_every_tab_of_the_user_and_nobody_else(dotted, bob):
    tab1, tab2 = await connect("/ws/echo/", dotted), await connect("/ws/echo/", dotted)
    other = await connect("/ws/echo/", bob)
    await tab1.send_json_to({"type": "note", "text": "hello from tab 1", "n": [1, 2]})
    for tab in (tab1, tab2):
        frame = await tab.receive_json_from(timeout=EVENT_TIMEOUT_S)
        assert frame["type"] == "echo"
        assert frame["data"] == {"type": "note", "text": "hello from tab 1", "n": [1, 2]}
    await nothing_more(other)
    await nothing_more(tab2)
    for communicator in (tab1, tab2, other):
        await communicator.disconnect()


async def test_echo_rejects_malformed_and_oversized_frames_and_stays_usable(alice):
    tab = await connect("/ws/echo/", alice)
    await tab.send_to(text_data="{not json")
    assert await tab.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "error", "message": "malformed JSON"}
    await tab.send_to(text_data='{"type": "x", "blob": "' + "a" * 70_000 + '"}')
    assert (await tab.receive_json_from(timeout=EVENT_TIMEOUT_S))[
        "message"
    ] == "frame too large: at most 65536 characters"
    await tab.send_json_to({"type": "still", "ok": True})
    assert (await tab.receive_json_from(timeout=EVENT_TIMEOUT_S))["data"] == {"type": "still", "ok": True}
    await tab.disconnect()


def strict_json(text: str):
    """JSON as RFC 8259 has it: NaN and Infinity are Python's additions, not JSON."""

    def refuse(constant: str):
        raise ValueError(f"{constant} sent, which is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("value", ["NaN", "-Infinity", "Infinity", "1e400"])
async def test_echo_refuses_nan_and_infinity_with_an_error_and_stays_usable(alice, value):
    tab = await connect("/ws/echo/", alice)
    await tab.send_to(text_data=f'{{"type": "reading", "value": {value}}}')
    reply = strict_json(await tab.receive_from(timeout=30))
    assert reply["type"] == "error"
    assert reply["message"].startswith("malformed JSON: ")
    await tab.send_json_to({"type": "reading", "value": 1.5})
    assert strict_json(await tab.receive_from(timeout=30))["data"] == {"type": "reading", "value": 1.5}
    await tab.disconnect()


@pytest.mark.parametrize("path", ["/ws/echo/", "/ws/chat/ops/"])
async def test_anonymous_sockets_are_closed_with_4401(transactional_db, path):
    communicator = await socket(path)
    accepted, _ = await communicator.connect()
    assert accepted  # accepted, then closed, so the browser sees the code
    assert await communicator.receive_output(timeout=EVENT_TIMEOUT_S) == {"type": "websocket.close", "code": 4401}


# --- chat ------------------------------------------------------------------------------

CHINESE_ROOM = "值班室 第一组!"


async def test_two_users_chat_in_a_chinese_named_room(alice, bob):
    path = f"/ws/chat/{CHINESE_ROOM}/"
    a = await connect(path, alice)
    history = await a.receive_json_from(timeout=EVENT_TIMEOUT_S)
    assert history == {"type": "history", "room": CHINESE_ROOM, "archived": False, "messages": []}
    assert await a.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "presence", "users": ["alice"]}
    b = await connect(path, bob)
    assert (await b.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "history"
    for communicator in (a, b):
        assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {
            "type": "presence",
            "users": ["alice", "bob"],
        }

    await b.send_json_to({"type": "message", "text": "你好, alice"})
    for communicator in (a, b):
        frame = await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S)
        assert (frame["type"], frame["room"]) == ("messages", CHINESE_ROOM)
        [message] = frame["messages"]
        assert (message["author"], message["text"]) == ("bob", "你好, alice")

    await b.disconnect()
    assert await a.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "presence", "users": ["alice"]}
    await a.disconnect()

    room = await database_sync_to_async(ChatRoom.objects.get)(name=CHINESE_ROOM)
    assert room.group == f"chat.room.{room.pk}"
    saved = await database_sync_to_async(lambda: list(room.messages.values_list("author__username", "text")))()
    assert saved == [("bob", "你好, alice")]


async def test_the_last_50_messages_are_sent_on_join(alice):
    def fill():
        room = ChatRoom.objects.create(name="history")
        ChatMessage.objects.bulk_create(ChatMessage(room=room, author=alice, text=f"m{i}") for i in range(60))

    await database_sync_to_async(fill)()
    communicator = await connect("/ws/chat/history/", alice)
    history = await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S)
    assert len(history["messages"]) == 50
    assert {m["text"] for m in history["messages"]} == {f"m{i}" for i in range(10, 60)}
    await communicator.disconnect()


async def test_the_author_cannot_be_forged(alice, bob):
    a = await connect("/ws/chat/forgery/", alice)
    await a.receive_json_from(timeout=EVENT_TIMEOUT_S)  # history
    await a.receive_json_from(timeout=EVENT_TIMEOUT_S)  # presence
    await a.send_json_to({"type": "message", "text": "I am bob", "author": "bob", "user": bob.pk})
    frame = await a.receive_json_from(timeout=EVENT_TIMEOUT_S)
    assert frame["messages"][0]["author"] == "alice"
    assert await database_sync_to_async(lambda: ChatMessage.objects.get().author_id)() == alice.pk
    await a.disconnect()


async def messages_and_errors(communicator, messages: int, errors: int) -> tuple[list[str], list[str]]:
    """Read frames until `messages` chat messages (in batches) and `errors` error frames have come."""
    texts, refusals = [], []
    while len(texts) < messages or len(refusals) < errors:
        frame = await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S)
        if frame["type"] == "messages":
            texts += [message["text"] for message in frame["messages"]]
        elif frame["type"] == "error":
            refusals.append(frame["message"])
    return texts, refusals


async def test_bad_frames_get_error_frames_and_the_socket_stays_usable(alice):
    a = await connect("/ws/chat/limits/", alice)
    await a.receive_json_from(timeout=EVENT_TIMEOUT_S)
    await a.receive_json_from(timeout=EVENT_TIMEOUT_S)

    await a.send_to(text_data="[1, 2")
    assert await a.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "error", "message": "malformed JSON"}
    await a.send_json_to({"type": "message", "text": "x" * 2001})
    assert await a.receive_json_from(timeout=EVENT_TIMEOUT_S) == {
        "type": "error",
        "message": "Message too long: 2001 characters, at most 2000.",
    }
    await a.send_json_to({"type": "message", "text": 42})
    assert (await a.receive_json_from(timeout=EVENT_TIMEOUT_S))["message"] == "A message needs some text."

    # Flooding: 15 at once; ten pass, five are refused.
    for i in range(15):
        await a.send_json_to({"type": "message", "text": f"flood {i}"})
    texts, errors = await messages_and_errors(a, messages=10, errors=5)
    assert texts == [f"flood {i}" for i in range(10)]
    assert errors == ["Too many messages: at most 10 per second."] * 5

    await asyncio.sleep(1.05)  # the one-second window must pass: this is the limit under test
    await a.send_json_to({"type": "message", "text": "x" * 2000})
    assert (await a.receive_json_from(timeout=EVENT_TIMEOUT_S))["messages"][0]["text"] == "x" * 2000
    await a.disconnect()
    assert await database_sync_to_async(ChatMessage.objects.count)() == 11


async def frames_until_pong(communicator) -> list[dict]:
    """Every frame before the answer to a ping sent now (a socket's frames are handled in order)."""
    await communicator.send_json_to({"type": "ping"})
    frames = []
    while (frame := await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S)) != {"type": "pong"}:
        frames.append(frame)
    return frames


async def test_the_rate_limit_counts_all_of_a_users_sockets(alice):
    tabs = [await connect("/ws/chat/tabs/", alice) for _ in range(2)]
    for i in range(12):
        await tabs[i % 2].send_json_to({"type": "message", "text": f"m{i}"})
    per_tab = [await frames_until_pong(tab) for tab in tabs]
    errors = [f["message"] for frames in per_tab for f in frames if f["type"] == "error"]
    assert errors == ["Too many messages: at most 10 per second."] * 2
    # Every tab gets every accepted message; wait for the rest of them in the first tab.
    seen = sum(len(f["messages"]) for f in per_tab[0] if f["type"] == "messages")
    await messages_and_errors(tabs[0], messages=10 - seen, errors=0)
    assert await database_sync_to_async(ChatMessage.objects.count)() == 10
    for tab in tabs:
        await tab.disconnect()


async def test_an_archived_room_takes_no_messages(alice):
    await database_sync_to_async(lambda: ChatRoom.objects.create(name="old", archived=True))()
    a = await connect("/ws/chat/old/", alice)
    assert (await a.receive_json_from(timeout=EVENT_TIMEOUT_S))["archived"] is True
    await a.receive_json_from(timeout=EVENT_TIMEOUT_S)
    await a.send_json_to({"type": "message", "text": "anyone?"})
    assert (await a.receive_json_from(timeout=EVENT_TIMEOUT_S))[
        "message"
    ] == "this room is archived: it takes no new messages"
    await a.disconnect()


async def test_an_unusable_room_name_gets_an_error_and_a_close(alice):
    communicator = await socket(f"/ws/chat/{' ' * 3}/", alice)
    assert (await communicator.connect())[0]
    assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {
        "type": "error",
        "message": "a room needs a name",
    }
    assert await communicator.receive_output(timeout=EVENT_TIMEOUT_S) == {"type": "websocket.close", "code": 4400}


def test_room_names_are_cleaned():
    assert rooms.clean_room_name("  Café  ") == "Café"
    for bad, reason in [("", "a room needs a name"), ("a" * 101, "at most 100"), ("a\x00b", "control characters")]:
        with pytest.raises(ValueError, match=reason):
            rooms.clean_room_name(bad)


async def test_the_sender_is_told_which_messages_were_saved(alice, bob):
    a = await connect("/ws/chat/acks/", alice)
    b = await connect("/ws/chat/acks/", bob)
    for communicator in (a, b):
        await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S)  # history
    await a.send_json_to({"type": "message", "text": "first", "client_id": "c-1"})
    await a.send_json_to({"type": "message", "text": "second", "client_id": "c-2"})
    for _ in range(10):  # presence and the messages frame come first
        if (frame := await a.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "saved":
            break
    assert frame == {"type": "saved", "client_ids": ["c-1", "c-2"]}
    stored = await database_sync_to_async(lambda: list(ChatMessage.objects.values_list("text", flat=True)))()
    assert sorted(stored) == ["first", "second"]
    # Only the sender hears of its client ids.
    while (frame := await b.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] != "messages":
        assert frame["type"] == "presence"
    await nothing_more(b)
    # After a reconnect the page sends again what it has no "saved" for: confirmed, not stored twice.
    await a.send_json_to({"type": "message", "text": "second", "client_id": "c-2"})
    assert await a.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "saved", "client_ids": ["c-2"]}
    assert await database_sync_to_async(ChatMessage.objects.count)() == 2
    await a.send_json_to({"type": "message", "text": "x", "client_id": 7})
    assert (await a.receive_json_from(timeout=EVENT_TIMEOUT_S))[
        "message"
    ] == '"client_id" must be a string of at most 64 characters'
    for communicator in (a, b):
        await communicator.disconnect()


async def saved_frame(communicator) -> dict:
    """The next "saved" frame (presence and messages frames come between)."""
    for _ in range(10):
        if (frame := await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "saved":
            return frame
    raise AssertionError("no saved frame")


async def test_a_resend_is_stored_once_even_when_the_server_forgot_it_confirmed_it(alice, bob):
    # The database, not Redis, knows what was stored: a Redis restarted empty (or a web process
    # killed between the save and the "saved" frame) does not make a resend a second message.
    a = await connect("/ws/chat/resends/", alice)
    await a.receive_json_from(timeout=EVENT_TIMEOUT_S)  # history
    await a.send_json_to({"type": "message", "text": "disk full on db-1", "client_id": "c-1"})
    assert (await saved_frame(a))["client_ids"] == ["c-1"]
    client = sync_redis()
    for key in client.scan_iter(match=f"{settings.REDIS_PREFIX}:*"):  # Redis lost everything
        client.delete(key)
    await a.send_json_to({"type": "message", "text": "disk full on db-1", "client_id": "c-1"})
    assert (await saved_frame(a))["client_ids"] == ["c-1"]
    # Client ids are the author's own: bob's c-1 is another message.
    b = await connect("/ws/chat/resends/", bob)
    await b.receive_json_from(timeout=EVENT_TIMEOUT_S)
    await b.send_json_to({"type": "message", "text": "on it", "client_id": "c-1"})
    assert (await saved_frame(b))["client_ids"] == ["c-1"]
    stored = await database_sync_to_async(
        lambda: sorted(ChatMessage.objects.values_list("author__username", "text", "client_id"))
    )()
    assert stored == [("alice", "disk full on db-1", "c-1"), ("bob", "on it", "c-1")]
    for communicator in (a, b):
        await communicator.disconnect()


async def test_messages_wait_while_the_database_refuses_them_and_are_saved_once_it_answers(alice, monkeypatch):
    save, failures = rooms.save_messages, []

    def database_away_twice(room_id, batch):
        if len(failures) < 2:  # the seam to the database: its first two answers are errors
            failures.append(len(batch))
            raise OperationalError("could not connect to server: Connection refused")
        return save(room_id, batch)

    monkeypatch.setattr(rooms, "save_messages", database_away_twice)
    a = await connect("/ws/chat/outage/", alice)
    for kind in ("history", "presence"):
        assert (await a.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == kind
    await a.send_json_to({"type": "message", "text": "first", "client_id": "c-1"})
    frame = await a.receive_json_from(timeout=EVENT_TIMEOUT_S)
    # Told once that they wait: an error without client ids, so the page keeps them.
    assert frame == {
        "type": "error",
        "message": "the database is unavailable: messages wait and are saved when it is back",
    }
    await a.send_json_to({"type": "message", "text": "second", "client_id": "c-2"})  # joins the waiting batch
    frames = []
    while not frames or frames[-1]["type"] != "saved":
        frames.append(await a.receive_json_from(timeout=EVENT_TIMEOUT_S))
    messages = [f for f in frames if f["type"] == "messages"]
    assert [m["text"] for f in messages for m in f["messages"]] == ["first", "second"]
    assert frames[-1] == {"type": "saved", "client_ids": ["c-1", "c-2"]}
    assert "error" not in {f["type"] for f in frames}  # told once
    assert await database_sync_to_async(ChatMessage.objects.count)() == 2
    await a.disconnect()

"""A web process SIGKILLed while a page's chat messages are in flight: each message is stored once."""

import pytest
from channels.db import database_sync_to_async

from bench.common import session_cookie
from chat.models import ChatMessage
from tests import processes
from tests.faults.pages import ChatPage, holder, web_processes
from tests.servers import free_port, wait_for
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.pipeline

ROOM = "incident"


def stored() -> list[tuple[str, str]]:
    return sorted(ChatMessage.objects.filter(room__name=ROOM).values_list("client_id", "text"))


async def test_messages_in_flight_when_their_web_process_dies_are_stored_once_after_the_page_reconnects(alice):
    port, cookie = free_port(), await database_sync_to_async(session_cookie)(alice)
    with processes.serve(port, 2) as server:
        wait_for(lambda: len(web_processes(server.pid)) == 2, EVENT_TIMEOUT_S, "two web processes")
        sender = ChatPage(port, cookie, ROOM)
        await sender.join()
        for n in range(3):
            await sender.post(f"acknowledged {n}", f"a-{n}")
        await sender.all_saved()
        acknowledged = dict(sender.seen)

        victim = holder(web_processes(server.pid), sender.page.local_port)
        for n in range(3):  # in the outbox, being saved, or not read yet: the kill decides
            await sender.post(f"in flight {n}", f"f-{n}")
        server_process = next(p for p in web_processes(server.pid) if p.pid == victim)
        server_process.kill()
        assert await sender.page.closed()

        await sender.join()  # what static/js/live-socket.js and chat.js do on a close
        await sender.all_saved()
        assert sender.errors == []
        # History after the reconnect holds every acknowledged message.
        assert acknowledged.items() <= sender.seen.items()
        await sender.page.ws.close()

    want = sorted(
        [(f"a-{n}", f"acknowledged {n}") for n in range(3)] + [(f"f-{n}", f"in flight {n}") for n in range(3)]
    )
    assert await database_sync_to_async(stored)() == want  # each once, none lost

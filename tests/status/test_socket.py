"""/ws/status/<slug>/ against the real Redis: readers get the document first, then each change."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from monitor.models import Check
from status.consumers import CLOSE_NOT_FOUND
from status.hub import hub
from status.models import StatusPage
from tests.conftest import socket
from tests.status.conftest import SECRETS, run
from tests.waits import EVENT_TIMEOUT_S

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def stop_hub():
    yield
    await asyncio.wait_for(hub().stop(), EVENT_TIMEOUT_S)


async def connected(path: str, user=None):
    communicator = await socket(path, user)
    accepted, _ = await communicator.connect()
    assert accepted
    return communicator


async def test_an_anonymous_reader_sees_a_host_go_down_live(public_page, stop_hub):
    reader = await connected("/ws/status/shop/")
    first = await reader.receive_json_from(timeout=EVENT_TIMEOUT_S)
    assert first["type"] == "status"
    assert first["sections"][0]["hosts"][0]["state"] == "pending"
    await asyncio.wait_for(hub().subscribed.wait(), EVENT_TIMEOUT_S)

    check = await database_sync_to_async(Check.objects.get)()
    await database_sync_to_async(run)(check, timezone.now(), error="connect to db-7.corp.example:8443 refused")
    changed = await reader.receive_from(timeout=EVENT_TIMEOUT_S)
    assert json.loads(changed)["sections"][0]["hosts"][0]["state"] == "down"
    assert json.loads(changed)["state"] == "down"
    for secret in SECRETS:
        assert secret not in changed
    await reader.disconnect()


async def test_a_login_only_page_refuses_anonymous_readers(public_page, alice, stop_hub):
    await database_sync_to_async(StatusPage.objects.filter(pk=public_page.pk).update)(public=False)
    anonymous = await connected("/ws/status/shop/")
    assert await anonymous.receive_output(timeout=EVENT_TIMEOUT_S) == {"type": "websocket.close", "code": 4401}
    member = await connected("/ws/status/shop/", alice)
    assert (await member.receive_json_from(timeout=EVENT_TIMEOUT_S))["slug"] == "shop"
    await member.disconnect()


async def test_an_unknown_page_closes_with_4404(alice, stop_hub):
    reader = await connected("/ws/status/nope/")
    assert await reader.receive_output(timeout=EVENT_TIMEOUT_S) == {"type": "websocket.close", "code": CLOSE_NOT_FOUND}


async def test_the_socket_is_read_only(public_page, stop_hub):
    reader = await connected("/ws/status/shop/")
    await reader.receive_json_from(timeout=EVENT_TIMEOUT_S)
    await reader.send_to(text_data='{"type": "ping"}')
    assert await reader.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
    for frame in ('{"type": "subscribe", "slug": "other"}', "not json", "[" * 5000):
        await reader.send_to(text_data=frame)
        assert await reader.receive_json_from(timeout=EVENT_TIMEOUT_S) == {
            "type": "error",
            "message": "this socket is read-only",
        }
    await reader.disconnect()


async def test_a_deleted_page_closes_its_readers(public_page, stop_hub):
    reader = await connected("/ws/status/shop/")
    await reader.receive_json_from(timeout=EVENT_TIMEOUT_S)
    await asyncio.wait_for(hub().subscribed.wait(), EVENT_TIMEOUT_S)
    await database_sync_to_async(public_page.delete)()
    assert await reader.receive_output(timeout=EVENT_TIMEOUT_S) == {"type": "websocket.close", "code": CLOSE_NOT_FOUND}


async def test_a_ping_carrying_nan_is_refused_as_not_json(public_page, stop_hub):
    reader = await connected("/ws/status/shop/")
    assert (await reader.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "status"
    await reader.send_to(text_data='{"type": "ping", "at": NaN}')
    assert await reader.receive_json_from(timeout=EVENT_TIMEOUT_S) == {
        "type": "error",
        "message": "this socket is read-only",
    }
    await reader.send_json_to({"type": "ping"})
    assert await reader.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "pong"}
    await reader.disconnect()

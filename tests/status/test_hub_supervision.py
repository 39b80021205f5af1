"""A status announcement the hub cannot read stops nothing: the listener is started again and readers stay live."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from core.contracts.groups import STATUS_CHANGED, STATUS_PAGES_GROUP
from monitor.models import Check
from status.hub import hub
from tests.status.conftest import run
from tests.status.test_socket import connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_bad_announcement_is_logged_and_the_next_change_still_arrives(public_page, caplog):
    reader = await connected("/ws/status/shop/")
    try:
        assert (await reader.receive_json_from(timeout=30))["type"] == "status"
        await asyncio.wait_for(hub().subscribed.wait(), 30)
        layer = get_channel_layer()
        await layer.group_send(STATUS_PAGES_GROUP, {"type": STATUS_CHANGED, "text": "not a page id"})
        deadline = asyncio.get_running_loop().time() + 30
        while "status-hub failed" not in caplog.text:
            assert asyncio.get_running_loop().time() < deadline, "the failure not logged within 30 s"
            await asyncio.sleep(0.02)
        assert "not a page id" in caplog.text  # with its traceback

        # Sent whether or not the listener has joined again: on joining it catches up on its pages.
        check = await database_sync_to_async(Check.objects.get)()
        await database_sync_to_async(run)(check, timezone.now(), error="connect refused")
        changed = await reader.receive_from(timeout=30)
        assert json.loads(changed)["state"] == "down"
    finally:
        await reader.disconnect()
        await asyncio.wait_for(hub().stop(), 30)

"""The dashboard with many hosts: a bounded page, worst hosts first, the rest found by searching."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dashboard.views import GRID_LIMIT
from monitor.models import Host, Status

HOSTS = 4 * GRID_LIMIT
PAGE_BOUND = 250_000  # bytes; 20,000 hosts once made a 3.8 MB page


@pytest.fixture
def viewer(transactional_db):
    client = Client()
    client.force_login(get_user_model().objects.create_user("viewer", password="pw-for-tests-only"))
    return client


def embedded_hosts(page: str) -> list[dict]:
    return json.loads(re.search(r'<script id="host-list" type="application/json">(.*?)</script>', page, re.S)[1])


def test_many_hosts_make_a_bounded_page_with_the_worst_first_and_search_for_the_rest(viewer):
    Host.objects.bulk_create(
        Host(name=f"host-{i:05d}", address=f"10.0.{i // 256}.{i % 256}", status=Status.UP) for i in range(HOSTS)
    )
    Host.objects.filter(name="host-01999").update(status=Status.DOWN)
    response = viewer.get("/")
    page = response.content.decode()
    assert len(response.content) < PAGE_BOUND
    shown = embedded_hosts(page)
    assert len(shown) == GRID_LIMIT
    assert shown[0]["name"] == "host-01999"
    assert f"Showing {GRID_LIMIT} of {HOSTS} hosts" in page

    found = embedded_hosts(viewer.get("/", {"q": "host-01500"}).content.decode())
    assert [host["name"] for host in found] == ["host-01500"]
    grid = viewer.get("/hosts/grid.json", {"q": "10.0.3."}).json()
    assert (len(grid["hosts"]), grid["total"]) == (256, 256)

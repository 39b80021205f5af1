"""Minutes written as top-N tables, read back through /api/flows/ with filters, as JSON and CSV."""

import csv
import io

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts import roles
from flows import tiers, truth, writer
from flows.buffers import MinuteBuffer
from flows.decoding.decoder import FlowDecoder
from flows.exporters import ExporterMap
from flows.models import Talker
from monitor.devices.models import Interface
from monitor.models import Host
from tests.flows import packets as p
from tests.roles import user_with_role

pytestmark = pytest.mark.django_db
MINUTE = 1_700_000_040  # a minute's start
FLOWS = [
    {"src": "198.18.0.1", "dst": "198.18.5.5", "bytes": 9000, "packets": 9, "proto": 6, "sport": 40000, "dport": 443, "in_if": 3},
    {"src": "198.18.0.2", "dst": "198.18.5.5", "bytes": 4000, "packets": 4, "proto": 17, "sport": 5000, "dport": 53, "in_if": 3},
    {"src": "198.51.100.7", "dst": "198.18.5.6", "bytes": 1000, "packets": 1, "proto": 6, "sport": 22, "dport": 50000, "in_if": 4},
]  # fmt: skip


@pytest.fixture
def device() -> Host:
    return Host.objects.create(name="core-1", address="198.18.255.1")


@pytest.fixture
def stored(device) -> int:
    """Two minutes of the flows above from the device's address, through the buffer and the writer."""
    buffer, decoder = MinuteBuffer(), FlowDecoder()
    for minute in (MINUTE, MINUTE + 60):
        buffer.add("198.18.255.1", decoder.netflow(p.v5(FLOWS), "198.18.255.1", minute), minute + 1, decoder.tally)
    return writer.write_minutes(buffer.closed(MINUTE + 150), ExporterMap(), top_n=2)


async def streamed(response) -> str:
    return "".join([part.decode() async for part in response.streaming_content])


def viewer() -> Client:
    client = Client()
    user = get_user_model().objects.filter(username="watcher").first() or user_with_role("watcher", roles.VIEWER)
    client.force_login(user)
    return client


def flows(**params) -> dict:
    response = viewer().get("/api/flows/", {"from": MINUTE, "to": MINUTE + 120, **params})
    assert response.status_code == 200, response.content
    return response.json()


def keys(body: dict, table: str) -> dict[str, int]:
    return {row["key"]: row["bytes"] for row in body["tables"][table]}


def test_minutes_are_stored_per_device_port_and_direction_with_an_other_row(stored, device):
    assert stored > 0
    rows = Talker.objects.filter(host=device, if_index=3, direction="in", dimension="src", start=MINUTE)
    assert {r.key: r.bytes for r in rows} == {"198.18.0.1": 9000, "198.18.0.2": 4000}
    out = Talker.objects.filter(host=device, if_index=2, direction="out", dimension="src", start=MINUTE)
    assert {r.key: r.bytes for r in out} == {"198.18.0.1": 9000, "198.18.0.2": 4000, "": 1000}  # top 2 + other


def test_the_api_sums_the_range_and_keeps_the_whole(stored, device):
    body = flows(device=device.pk, direction="in")
    assert keys(body, "src") == {"198.18.0.1": 18000, "198.18.0.2": 8000, "198.51.100.7": 2000}
    assert keys(body, "port") == {"tcp/443 (https)": 18000, "udp/53 (domain)": 8000, "tcp/22 (ssh)": 2000}
    assert body["series"] == [[MINUTE, 14000], [MINUTE + 60, 14000]]


def test_the_api_filters_by_port_prefix_protocol_and_port(stored, device):
    assert keys(flows(interface=4, direction="in"), "src") == {"198.51.100.7": 2000}
    assert keys(flows(address="198.51.100.0/24", direction="in"), "pair") == {"198.51.100.7 > 198.18.5.6": 2000}
    assert keys(flows(protocol="udp", direction="in"), "proto") == {"udp": 8000}
    assert keys(flows(port=443, direction="in"), "port") == {"tcp/443 (https)": 18000}


def test_bad_filters_are_told_back(stored):
    response = viewer().get("/api/flows/", {"address": "not-an-address"})
    assert response.status_code == 400
    assert "prefix" in response.json()["detail"]


def test_the_csv_export_has_every_table_row(stored, device):
    response = viewer().get(
        "/api/flows/", {"from": MINUTE, "to": MINUTE + 120, "device": device.pk, "direction": "in", "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(async_to_sync(streamed)(response))))
    assert rows[0] == ["table", "key", "bytes", "packets", "flows"]
    assert ["src", "198.18.0.1", "18000", "18", "2"] in rows


def test_anonymous_callers_are_refused(stored):
    assert Client().get("/api/flows/").status_code in (401, 403)


def test_an_ended_hour_is_rolled_up_once_and_each_tier_is_pruned(stored, device):
    assert tiers.roll_up(MINUTE + 3 * 3600) > 0
    assert tiers.roll_up(MINUTE + 3 * 3600) == 0  # once
    hour = MINUTE // 3600 * 3600
    rows = Talker.objects.filter(tier="hour", start=hour, host=device, if_index=3, direction="in", dimension="src")
    assert {r.key: r.bytes for r in rows} == {"198.18.0.1": 18000, "198.18.0.2": 8000}
    long_range = viewer().get("/api/flows/", {"from": hour, "to": hour + 7 * 3600, "direction": "in"}).json()
    assert long_range["tier"] == "hour"
    assert keys(long_range, "src") == {"198.18.0.1": 18000, "198.18.0.2": 8000, "198.51.100.7": 2000}
    deleted = tiers.prune(MINUTE + 49 * 3600)
    assert deleted["minute"] > 0
    assert deleted["hour"] == 0
    assert not Talker.objects.filter(tier="minute").exists()


def test_the_flows_page_draws_the_tables_and_the_line(stored, device):
    page = viewer().get("/flows/", {"device": device.pk, "from": MINUTE, "to": MINUTE + 120, "direction": "in"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "198.18.0.1 &gt; 198.18.5.5" in text
    assert "<polyline points=" in text
    assert 'href="/api/flows/?' in text


def test_the_flows_page_says_what_was_wrong_with_a_filter(stored):
    page = viewer().get("/flows/", {"address": "nowhere"})
    assert page.status_code == 200
    assert "prefix" in page.content.decode()


def test_flows_are_set_beside_the_snmp_rates_per_port(stored, device):
    Interface.objects.create(
        host=device, index=3, name="xe-0/0/3", in_bps=2000.0, out_bps=0.0, polled_at=timezone.now()
    )
    body = flows(device=device.pk, to=MINUTE + 180)
    now = MINUTE + 180
    rows = {(r["name"], r["direction"]): r for r in truth.compare(device.pk, now)}
    # 13,000 bytes in each of the two minutes on port 3, over 5 minutes: 693.3 bit/s against SNMP's 2,000.
    assert rows[("xe-0/0/3", "in")]["flow_bps"] == pytest.approx(8 * 26000 / 300)
    assert rows[("xe-0/0/3", "in")]["difference_pct"] == pytest.approx(-65.3, abs=0.1)
    assert ("ifIndex 2", "out") in rows
    assert "ports" in body

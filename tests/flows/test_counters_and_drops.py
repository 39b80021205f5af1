"""sFlow counter samples become per-port rates shown beside the flow-derived and SNMP rates, and
the collector's drop counts (through Redis) are shown on the Flows page."""

import time

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts import roles
from core.redis_io.redis_clients import sync_redis
from flows import counts, truth, writer
from flows.decoding.decoder import FlowDecoder
from flows.decoding.records import Tally
from flows.decoding.sflow import InterfaceCounters
from flows.exporters import ExporterMap
from flows.models import PortCounters
from monitor.devices.models import Interface
from monitor.models import Host
from tests.flows import packets as p
from tests.roles import user_with_role

pytestmark = pytest.mark.django_db
EXPORTER = "198.18.255.9"
MINUTE = 1_700_000_040
FLOW = {"src": "198.18.0.1", "dst": "198.18.5.5", "bytes": 9000, "packets": 9, "proto": 6, "sport": 4, "dport": 443,
        "in_if": 3}  # fmt: skip


def sample(in_octets: int, out_octets: int) -> InterfaceCounters:
    return InterfaceCounters(EXPORTER, 3, 10**9, in_octets, out_octets, 0, 0)


def test_counter_samples_become_rates_and_a_counter_going_back_gives_none():
    writer.write_counters([sample(1_000, 5_000)], now=100.0)
    first = PortCounters.objects.get()
    assert (first.in_bps, first.out_bps) == (None, None)
    writer.write_counters([sample(0, 0), sample(26_000, 7_500)], now=110.0)  # the latest of a batch counts
    second = PortCounters.objects.get()
    assert (second.in_octets, second.in_bps, second.out_bps) == (26_000, 8 * 25_000 / 10, 8 * 2_500 / 10)
    writer.write_counters([sample(10, 8_000)], now=120.0)  # the exporter restarted: in went back
    third = PortCounters.objects.get()
    assert (third.in_bps, third.out_bps) == (None, 8 * 500 / 10)


def test_the_flows_page_shows_sflow_counter_rates_and_the_collectors_drops():
    device = Host.objects.create(name="sflow-1", address=EXPORTER)
    Interface.objects.create(
        host=device, index=3, name="ge-0/0/3", in_bps=3000.0, out_bps=0.0, polled_at=timezone.now()
    )
    decoded = FlowDecoder().netflow(p.v5([FLOW]), EXPORTER, MINUTE)
    writer.write_minutes([(MINUTE, EXPORTER, decoded)], ExporterMap(), top_n=5)
    now = time.time()
    writer.write_counters([sample(0, 0)], now=now - 10)
    writer.write_counters([sample(2_500, 0)], now=now)
    rows = {(r["index"], r["direction"]): r for r in truth.compare(device.pk, now)}
    assert rows[(3, "in")]["sflow_counters_bps"] == pytest.approx(2000.0)
    tally = Tally(records=5)
    tally.dropped("rate_limited", 2)
    async_to_sync(counts.write_tally)(tally)
    try:
        client = Client()
        client.force_login(
            get_user_model().objects.filter(username="watcher").first() or user_with_role("watcher", roles.VIEWER)
        )
        page = client.get("/flows/", {"device": device.pk, "from": MINUTE, "to": MINUTE + 120})
        text = page.content.decode()
        assert page.status_code == 200
        assert "sFlow counters" in text
        assert "2000 bit/s" in text  # the counters' rate (SNMP says 3000)
        assert "rate limited 2" in text
    finally:
        sync_redis().delete(counts.tally_key())

"""/metrics: token-protected, and valid Prometheus text as prometheus_client's own parser reads it."""

import json

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core.redis_io.redis_clients import sync_redis
from monitor.models import Check, Host
from stats.latest import latest_key
from tests.api.test_api import make_token
from tests.stats.test_history_store import FRAME

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_latest_frames")]


def scrape(secret: str | None) -> tuple[int, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    response = Client(HTTP_HOST="localhost", **headers).get("/metrics")
    return response.status_code, response.content.decode()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_need_a_valid_token():
    assert scrape(None)[0] == 401
    assert scrape("nwm_wrong")[0] == 401
    assert scrape(make_token("prometheus"))[0] == 200  # read-only is enough


def test_latest_host_interface_and_check_metrics_parse():
    sync_redis().hset(latest_key(), "web <1>", json.dumps({**FRAME, "host": 'web "1"'}))
    host = Host.objects.create(name="db-1", address="127.0.0.1", status="degraded")
    checked = timezone.now()
    check = Check.objects.create(
        host=host, kind="ping", status="degraded", last_checked_at=checked, last_latency_ms=12.5, last_loss_pct=20
    )
    Check.objects.create(host=host, kind="tcp", port=5432)  # never ran: not exported
    status, text = scrape(make_token("prometheus"))
    assert status == 200
    found = samples(text)

    agent = (("agent", 'web "1"'),)  # quotes in a label survive the round trip
    assert found["netmon_cpu_usage_ratio", agent] == pytest.approx(0.03)
    assert found["netmon_load_average", (*agent, ("window", "1m"))] == 0.69
    assert found["netmon_memory_bytes", (*agent, ("kind", "total"))] == 25276510208
    assert found["netmon_filesystem_used_bytes", (*agent, ("mount", "/"))] == 24059555840
    eth0 = (*agent, ("interface", "eth0"))
    assert found["netmon_network_receive_bytes_per_second", eth0] == 2686662.8
    assert found["netmon_network_receive_drops_per_second", eth0] == 1.0
    assert found["netmon_network_up", (*agent, ("interface", "ifb0"))] == 0
    assert found["netmon_agent_last_sample_timestamp_seconds", agent] == FRAME["ts"]

    labels = (("check_id", str(check.pk)), ("host", "db-1"), ("kind", "ping"), ("target", "ping x5"))
    assert found["netmon_check_up", labels] == 1
    assert found["netmon_check_latency_seconds", labels] == 0.0125
    assert found["netmon_check_packet_loss_ratio", labels] == 0.2
    assert found["netmon_check_last_run_timestamp_seconds", labels] == pytest.approx(checked.timestamp())
    assert found["netmon_host_status", (("host", "db-1"), ("status", "degraded"))] == 1
    assert found["netmon_host_status", (("host", "db-1"), ("status", "up"))] == 0
    assert found["netmon_alerts_firing", (("severity", "critical"),)] == 0
    assert sum(1 for name, _ in found if name == "netmon_check_up") == 1

"""History in two VictoriaMetrics stores behind one URL: vmagent writes every value to each store, vmauth
shares the reads (deploy/history/vmauth.yml). One store lost loses no history, and catches up when back."""

import time

import httpx
import pytest
from django.core.cache import cache

from stats.history import stores
from stats.history.prometheus import PrometheusHistory, StoreError
from tests.servers import free_port, wait_for
from tests.victoria_metrics import flush, replicated_stores
from tests.waits import EVENT_TIMEOUT_S

# A whole minute, in the past: the stores refuse values too far ahead of their clock.
NOW = int(time.time()) // 60 * 60
AGENT = "replicated"
RESEND_PAUSE_MAX_S = 60  # vmagent 1.79's longest wait before sending to a store again


@pytest.fixture
def replicas(settings):
    with replicated_stores() as running:
        settings.HISTORY_URL = running.url
        cache.clear()
        yield running


def cpu(start: int, seconds: int) -> list[tuple[str, str, str, float, float]]:
    return [(f"agent:{AGENT}", "cpu.percent", "", start + second, float(second % 97)) for second in range(seconds)]


def held(url: str, start: int, end: int) -> dict[int, float]:
    """The values one store holds, asked from its own query API: {second: value}."""
    flush(url)
    reply = httpx.get(f"{url}/api/v1/export", params={"match[]": '{__name__="netmon_cpu_percent"}',
                      "start": start, "end": end}, timeout=10)  # fmt: skip
    reply.raise_for_status()
    found = {}
    for line in reply.text.splitlines():
        series = httpx.Response(200, content=line).json()
        found |= {stamp // 1000: value for stamp, value in zip(series["timestamps"], series["values"], strict=True)}
    return found


def wait_until_held(url: str, given: list, seconds: float = EVENT_TIMEOUT_S) -> None:
    expected = {int(ts): value for _, _, _, ts, value in given}
    start, end = min(expected), max(expected)
    wait_for(lambda: held(url, start, end) == expected, seconds, f"every value written in the store at {url}")


def series_maxima(client, start: int, end: int) -> tuple[list[float], list[float]]:
    """Each bucket's maximum as the series API gives it, and as the values written make it."""
    reply = client.get(f"/api/agents/{AGENT}/series", {"metric": "cpu.percent", "from": start, "to": end, "points": 60})
    assert reply.status_code == 200, reply.content
    body = reply.json()
    [series] = body["series"]
    written = dict((int(ts), value) for _, _, _, ts, value in cpu(start, end - start))
    expected = [max((v for ts, v in written.items() if t <= ts < t + body["step"]), default=None) for t in body["t"]]
    return series["max"], expected


def test_every_value_written_lands_in_each_store(db, replicas):
    given = cpu(NOW - 600, 600)
    assert stores.write(given) == len(given)
    for each in replicas.stores:
        wait_until_held(each.url, given)


def test_with_one_store_killed_the_series_api_answers_with_every_value(admin_client, replicas):
    from stats.models import Agent

    Agent.objects.create(name=AGENT)
    given = cpu(NOW - 600, 600)
    stores.write(given)
    for each in replicas.stores:
        wait_until_held(each.url, given)
    answered, expected = series_maxima(admin_client, NOW - 600, NOW)
    assert answered == expected
    assert None not in expected
    replicas.stores[0].kill()
    # vmauth shares reads in turn: asking several times comes to the killed store's turn each time.
    for _ in range(6):
        assert series_maxima(admin_client, NOW - 600, NOW) == (expected, expected)


def test_values_written_while_a_store_is_down_reach_it_when_it_is_back(db, replicas):
    first, second = cpu(NOW - 1200, 600), cpu(NOW - 600, 600)
    stores.write(first)
    wait_until_held(replicas.stores[0].url, first)
    replicas.stores[0].kill()
    stores.write(second)  # vmagent takes it, and keeps the killed store's copy on disk
    wait_until_held(replicas.stores[1].url, first + second)
    replicas.stores[0].start()
    # Only what was written while it was down: what a store took in its last seconds before SIGKILL
    # may be lost with it (VictoriaMetrics writes its newest values to disk every few seconds).
    # vmagent sends again after a pause that doubles with each failure, up to a minute.
    wait_until_held(replicas.stores[0].url, second, EVENT_TIMEOUT_S + RESEND_PAUSE_MAX_S)


def test_the_password_in_history_url_is_sent_and_never_shown(replicas):
    good = PrometheusHistory(replicas.url)
    good.write(cpu(NOW - 60, 60))  # vmauth took it: the password went as basic auth
    wrong = f"http://netmon:not-{replicas.password}@127.0.0.1:{replicas.vmauth.port}"
    with pytest.raises(StoreError) as refused:
        PrometheusHistory(wrong).write(cpu(NOW - 60, 60))
    unreachable = f"http://netmon:{replicas.password}@127.0.0.1:{free_port()}"
    with pytest.raises(StoreError) as down:
        PrometheusHistory(unreachable).write(cpu(NOW - 60, 60))
    for error in (refused.value, down.value):
        assert replicas.password not in str(error)
        assert "127.0.0.1" in str(error)

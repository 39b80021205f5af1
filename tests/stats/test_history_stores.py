"""History in a Prometheus-compatible store (Debian's VictoriaMetrics) gives what the embedded store gives."""

import math
import random
import time

import numpy as np
import pytest
from django.core.cache import cache

from stats.history import ingest, query, stores
from stats.history.prometheus import PrometheusHistory, StoreError
from tests.servers import free_port
from tests.victoria_metrics import flush, private_victoria_metrics

# A whole hour, in the past: the store refuses values too far ahead of its clock.
NOW = int(time.time()) // 3600 * 3600


@pytest.fixture(scope="module")
def victoria():
    with private_victoria_metrics() as url:
        yield url


def samples(start: int, seconds: int, seed: int = 1) -> list[ingest.Sample]:
    rng = random.Random(seed)
    given = []
    for second in range(seconds):
        given.append(("agent:web-1", "cpu.percent", "", start + second, round(rng.uniform(0, 100), 2)))
        given.append(("agent:web-1", "net.rx_bps", "eth0", start + second, float(rng.randrange(10**6))))
        given.append(("agent:web-2", "cpu.percent", "", start + second, 50.0))
    given.append(("agent:web-1", "cpu.percent", "", start + seconds + 5, math.nan))  # a gap: not a value
    return given


def by_key(body: dict) -> dict:
    return {(s["source"], s["metric"], s["label"]): s for s in body["series"]}


def test_it_reads_the_same_buckets_from_victoria_metrics_as_from_the_embedded_store(db, victoria):
    given = samples(NOW - 1800, 1800)
    store = PrometheusHistory(victoria)
    assert store.write(given) == len(given) == ingest.store(given)
    flush(victoria)
    args = (["agent:web-1", "agent:web-2"], ["cpu.percent", "net.rx_bps"], NOW - 1800, NOW, 60, NOW)
    external, embedded = store.read(*args), query.read(*args)
    assert external["t"].tolist() == embedded["t"].tolist()
    assert external["step"] == embedded["step"]
    ours, theirs = by_key(external), by_key(embedded)
    assert set(ours) == set(theirs) == {
        ("agent:web-1", "cpu.percent", ""), ("agent:web-1", "net.rx_bps", "eth0"), ("agent:web-2", "cpu.percent", "")
    }  # fmt: skip
    for key, series in theirs.items():
        for column in ("min", "max"):
            np.testing.assert_array_equal(ours[key][column], series[column])
        np.testing.assert_allclose(ours[key]["avg"], series["avg"], rtol=1e-6)


def test_a_batch_written_twice_is_kept_once(victoria):
    given = [("check:7", "check.latency_ms", "", NOW - 100 + i, float(i)) for i in range(60)]
    store = PrometheusHistory(victoria)
    store.write(given)
    store.write(given)  # a batch retried after its transaction failed
    flush(victoria)
    body = store.read(["check:7"], ["check.latency_ms"], NOW - 120, NOW - 40, 2, NOW)
    [series] = body["series"]
    assert np.nanmean(series["avg"]) == pytest.approx(29.5)


def test_a_store_that_does_not_answer_is_an_error_the_writer_retries():
    store = PrometheusHistory(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError):
        store.write([("check:1", "check.up", "", NOW, 1.0)])


def test_the_series_api_reads_from_the_store_history_url_names(admin_client, settings, victoria):
    from stats.models import Agent

    Agent.objects.create(name="vm-agent")
    settings.HISTORY_URL = victoria
    cache.clear()
    stores.write([("agent:vm-agent", "cpu.percent", "", NOW - 30 + i, 10.0 + i) for i in range(30)])
    flush(victoria)
    assert not stores.embedded()
    reply = admin_client.get(
        "/api/agents/vm-agent/series", {"metric": "cpu.percent", "from": NOW - 60, "to": NOW, "points": 2}
    )
    assert reply.status_code == 200, reply.content
    [series] = reply.json()["series"]
    assert max(value for value in series["max"] if value is not None) == 39.0

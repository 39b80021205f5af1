"""The metric catalogue against real frames: every path it names is where the collectors put it."""

import time

from core.contracts.metrics import FRAME_METRICS, HISTORY_METRICS, METRICS, frame_values
from netmon_agent.sampler import Sampler
from stats.history.metrics import frame_points
from tests.waits import EVENT_TIMEOUT_S

# Kept out of a first-tick frame by design: rates need two readings, TCP states a slower refresh.
SLOW = {"tcp.states"}


def sample_with_rates(sampler: Sampler, timeout: float = EVENT_TIMEOUT_S) -> dict:
    """A sample whose rates are known: CPU % needs the kernel's CPU counters (10 ms ticks, and
    idle time that can jitter on a tickless kernel) to have grown since the sample before."""
    deadline = time.monotonic() + timeout
    sampler.sample()
    while (frame := sampler.sample())["cpu"]["percent"] is None:
        assert time.monotonic() < deadline, "CPU time did not advance between samples"
        time.sleep(0.01)
    return frame


def test_every_catalogued_frame_metric_is_in_a_real_sample():
    frame = sample_with_rates(Sampler("catalogue-check"))
    assert not frame.get("missing"), frame.get("missing")
    absent = [
        metric.name
        for metric in FRAME_METRICS
        if metric.name not in SLOW and not any(value is not None for _, value in frame_values(frame, metric))
    ]
    assert absent == []


def test_history_keeps_exactly_the_catalogued_metrics_with_their_labels():
    frame = {
        "cpu": {"percent": 5.0, "steal": 1.0},
        "disk": {"mounts": {"/": {"percent": 22.0, "total": 100}}},
        "net": {"eth0": {"rx_bps": 8.0, "up": True, "rx_pps": 1.0}, "ifb0": {"rx_bps": 1.0, "up": False}},
        "tcp": {"established": 3, "states": {"listen": 4}},
    }
    assert sorted(frame_points(frame)) == [
        ("cpu.percent", "", 5.0),
        ("disk.percent", "/", 22.0),
        ("net.rx_bps", "eth0", 8.0),  # an interface that is down is left out
        ("tcp.established", "", 3.0),
    ]
    assert {name for name, _, _ in frame_points(frame)} <= set(HISTORY_METRICS)


def test_flags_read_as_numbers_and_missing_values_as_none():
    up = METRICS["net.up"]
    assert dict(frame_values({"net": {"eth0": {"up": True}, "lo": {"up": False}}}, up)) == {"eth0": 1.0, "lo": 0.0}
    assert dict(frame_values({"net": {"eth0": {"rx_bps": None}}}, METRICS["net.rx_bps"])) == {"eth0": None}
    assert list(frame_values({"cpu": "broken"}, METRICS["cpu.percent"])) == []

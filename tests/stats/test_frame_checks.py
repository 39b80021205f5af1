"""What a stats frame may hold: its time near the server's, its numbers finite and in their metric's range."""

import json
import time

import pytest

from netmon_agent.sampler import Sampler
from stats import frame_checks

NOW = 1_800_000_000.0


def refused(text: str) -> str | None:
    """The reason an entry of this text is refused, or None when it passes."""
    frame, refusal = frame_checks.checked("edge-1", {b"frame": text.encode()}, NOW)
    assert (frame is None) == (refusal is not None)
    return refusal.reason if refusal else None


def stats(**fields) -> str:
    return json.dumps({"type": "stats", "ts": NOW, **fields})


def test_it_passes_a_healthy_frame_and_stamps_its_agent():
    frame, refusal = frame_checks.checked(
        "edge-1",
        {b"frame": stats(cpu={"percent": 12.5}, net={"eth0": {"rx_bps": 1e9, "up": True, "tx_bps": None}}).encode()},
        NOW,
    )
    assert refusal is None
    assert frame["host"] == "edge-1"
    assert frame["cpu"] == {"percent": 12.5}


@pytest.mark.parametrize(
    ("ts", "reason"),
    [
        (1e15, "ts_ahead"),
        (NOW + frame_checks.MAX_AHEAD_S + 1, "ts_ahead"),
        (NOW - frame_checks.MAX_AGE_S - 1, "ts_too_old"),
        (0, "ts_too_old"),
        (-5, "ts_too_old"),
        (10**400, "not_a_frame"),
    ],
)
def test_it_refuses_a_time_outside_the_window(ts, reason):
    assert refused(f'{{"type":"stats","ts":{ts},"seq":1,"cpu":{{"percent":5}}}}') == reason


def test_it_takes_a_time_inside_the_window():
    assert refused(stats(ts=NOW + frame_checks.MAX_AHEAD_S - 1)) is None
    assert refused(stats(ts=NOW - frame_checks.MAX_AGE_S + 1)) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"type":"stats","ts":1800000000,"cpu":{"percent":1e308}}', "not_finite"),
        ('{"type":"stats","ts":1800000000,"mem":{"total":1e39}}', "not_finite"),
        ('{"type":"stats","ts":1800000000,"cpu":{"percent":1e400}}', "not_finite"),
        ('{"type":"stats","ts":1800000000,"extra":[1, -1e400]}', "not_finite"),
        ('{"type":"stats","ts":1800000000,"seq":' + "9" * 60 + "}", "not_finite"),
        ('{"type":"stats","ts":1800000000,"cpu":{"percent":NaN}}', "not_a_frame"),
        ('{"type":"stats","ts":1800000000,"cpu":{"percent":Infinity}}', "not_a_frame"),
        ('{"type":"stats","ts":1800000000,"mem":{"percent":"high"}}', "not_a_number"),
        ('{"type":"stats","ts":1800000000,"net":{"eth0":{"rx_bps":[1]}}}', "not_a_number"),
        ('{"type":"stats","ts":1800000000,"net":{"eth0":{"rx_bps":-5}}}', "out_of_range"),
        ('{"type":"stats","ts":1800000000,"tcp":{"states":{"LISTEN":-1}}}', "out_of_range"),
        ('{"type":"stats","ts":1800000000,"cpu":{"percent":100.5}}', "out_of_range"),
        ('{"type":"stats","ts":1800000000,"disk":{"mounts":{"/":{"percent":-0.1}}}}', "out_of_range"),
        ('{"type":"stats","ts":1800000000,"net":{"' + "e" * 101 + '":{"rx_bps":1}}}', "label_too_long"),
        ('{"type":"other","ts":1800000000}', "not_a_frame"),
        ("not json", "not_a_frame"),
    ],
)
def test_it_checks_every_number_against_its_kind(text, reason):
    assert refused(text) == reason


def test_every_reason_is_explained():
    reasons = {"not_a_frame", "ts_ahead", "ts_too_old", "not_finite", "not_a_number", "out_of_range"}
    assert reasons | {"label_too_long", "unwritable"} == set(frame_checks.REASONS)


def test_the_agents_own_frames_pass():
    """What this machine's agent samples (rates included, from the second sample on) is never refused."""
    sampler = Sampler("edge-1")
    for frame in (sampler.sample(), sampler.sample()):
        assert frame_checks.problem(frame, time.time()) is None

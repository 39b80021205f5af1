"""What the server accepts from an agent's stream, and when it calls an agent offline (pure)."""

import json

import pytest

from netmon_agent import keys
from netmon_agent.runtime import next_boundary
from stats import streams
from stats.presence import Presence

FIELD = keys.FRAME_FIELD.encode()


def entry(value) -> dict:
    return {FIELD: value if isinstance(value, bytes) else json.dumps(value).encode()}


def test_a_frame_is_stamped_with_the_streams_agent_whatever_it_claims():
    frame = streams.stamped("edge-1", entry({"type": "stats", "host": "db-1", "ts": 1.5, "cpu": {"percent": 3}}))
    assert frame == {"type": "stats", "host": "edge-1", "ts": 1.5, "cpu": {"percent": 3}}


@pytest.mark.parametrize(
    "fields",
    [
        {},
        entry(b"not json"),
        entry(b"[1, 2]"),
        entry({"type": "alert", "ts": 1}),
        entry({"type": "stats"}),
        entry({"type": "stats", "ts": "1"}),
        entry(b'{"type": "stats", "ts": NaN}'),
        entry(b'{"type": "stats", "ts": 1, "cpu": Infinity}'),
        entry(b"[" * 100_000),
        entry({"type": "stats", "ts": 1, "pad": "x" * streams.MAX_FRAME_BYTES}),
    ],
    ids=["no field", "not JSON", "not an object", "not stats", "no ts", "ts text", "NaN", "Infinity", "deep", "huge"],
)
def test_an_entry_that_is_not_a_stats_frame_is_refused(fields):
    assert streams.stamped("edge-1", fields) is None


def test_entry_ids_compare_as_numbers():
    assert streams.entry_position("1700000000000-10") > streams.entry_position("1700000000000-9")
    assert streams.entry_position(b"1700000000001-0") > streams.entry_position("1700000000000-99")


@pytest.mark.parametrize("name", ["", "a:b", "web*", "we?b", "[x]", "-lead", "a" * 64, "sp ace"])
def test_names_that_could_reach_other_keys_are_refused(name):
    with pytest.raises(ValueError, match="invalid agent name"):
        keys.check_name(name)


def test_an_agents_keys_are_matched_literally_by_its_acl():
    assert keys.glob_escape(keys.frames_key("netmon", "web-1")) == "netmon:agent:web-1:frames"
    assert keys.glob_escape(keys.lease_key("a*b", "web-1")) == r"a\*b:agent:web-1:lease"  # a prefix too


def test_samples_are_due_on_the_wall_clocks_interval_boundaries():
    assert next_boundary(100.2, 1.0) == 101.0
    assert next_boundary(101.0, 1.0) == 102.0  # exactly on one: the next
    assert next_boundary(100.2, 5.0) == 105.0


def test_an_agent_is_offline_after_its_silence_and_back_with_its_next_frame():
    presence = Presence(offline_after=5, started=1000)
    assert presence.check({"a", "b"}, 1004).went_offline == []  # the grace period after start
    presence.seen("a", 1004)
    changes = presence.check({"a", "b"}, 1006)
    assert (changes.went_offline, changes.came_back) == (["b"], [])
    assert presence.offline == {"b": 1000}
    assert presence.check({"a", "b"}, 1007).went_offline == []  # told once
    presence.seen("b", 1008)
    changes = presence.check({"a", "b"}, 1010)
    assert (changes.went_offline, changes.came_back) == (["a"], ["b"])
    assert presence.check({"b"}, 1011).went_offline == []
    assert "a" not in presence.offline

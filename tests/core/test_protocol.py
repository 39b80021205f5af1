"""Frames are built through the catalogue (core.contracts.protocol.frame), which refuses what it does not describe."""

import pytest

from core.contracts.protocol import FrameError, frame


def test_it_builds_a_catalogued_frame_with_its_type_first():
    built = frame("agent_state", host="edge-1", online=False, since=5.0)
    assert list(built.items()) == [("type", "agent_state"), ("host", "edge-1"), ("online", False), ("since", 5.0)]


def test_optional_fields_may_be_left_out():
    assert frame("error", message="malformed JSON") == {"type": "error", "message": "malformed JSON"}
    assert frame("error", message="not saved", client_ids=["c1"])["client_ids"] == ["c1"]


@pytest.mark.parametrize(
    ("kind", "fields", "says"),
    [
        ("agent_state", {"host": "edge-1", "online": False}, "needs since"),
        ("link", {"live": True, "lively": True}, "has no lively"),
        ("launch", {}, "not a server->client frame type"),
        ("watch", {"host": 1}, "not a server->client frame type"),  # the client sends it, the server never does
    ],
)
def test_it_refuses_a_frame_the_catalogue_does_not_describe(kind, fields, says):
    with pytest.raises(FrameError, match=says):
        frame(kind, **fields)

"""What the web processes' entry point (NetWorkMonitor.asgi) sets up beside the application."""

import autobahn.util
import autobahn.websocket.protocol

import NetWorkMonitor.asgi  # noqa: F401 - imported for what it sets


def test_autobahn_builds_its_unshown_debug_lines_without_click_colours_or_pprint():
    # Built for every frame sent and every socket opened, whatever the log level (see asgi.py).
    assert autobahn.util.hlval(12) == "12"
    assert "\x1b[" not in autobahn.util.hltype(
        test_autobahn_builds_its_unshown_debug_lines_without_click_colours_or_pprint
    )
    assert autobahn.websocket.protocol.pformat is repr

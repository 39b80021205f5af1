"""The protocol page of the docs, generated from the frame catalogue, and the code that answers to it."""

import re
from importlib import import_module
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from core.contracts.protocol import FRAMES, SOCKETS, markdown
from core.contracts.protocol.spec import ANY_TYPE, CLIENT_TO_SERVER, SERVER_TO_CLIENT, FrameType, field

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "docs" / "hooks" / "protocol.py"
JS = sorted((ROOT / "static" / "js").glob("*.js"))
# `frame.type === "hosts"`, `doc.type !== "status"`: a type the page acts on.
JS_HANDLED = re.compile(r"\.type\s*[!=]==?\s*\"([a-z_]+)\"")
# `socket.send({ type: "watch", ... })`: a type the page sends.
JS_SENT = re.compile(r"send\(\{\s*type:\s*\"([a-z_]+)\"")

ROUTE_CHANGE = FrameType(
    "route_change",
    SERVER_TO_CLIENT,
    ("/ws/stats/",),
    ("routing.events",),
    "A neighbour of a device came or went.",
    (field("peer", "string", "the address of the neighbour"),),
)


def types_in_js(pattern: re.Pattern) -> set[str]:
    return {name for path in JS for name in pattern.findall(path.read_text())}


def source_of(module: str) -> str:
    return Path(import_module(module).__file__).read_text()


def catalogued(direction: str) -> set[str]:
    return {name for (way, name) in FRAMES if way == direction}


@pytest.fixture
def route_change(monkeypatch):
    monkeypatch.setitem(FRAMES, (SERVER_TO_CLIENT, ROUTE_CHANGE.name), ROUTE_CHANGE)


@pytest.mark.usefixtures("route_change")
def test_a_frame_type_added_to_the_catalogue_is_on_the_page_with_no_other_edit(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Docs\n")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(f"site_name: test\nhooks:\n  - {HOOK}\n")
    # The hook finds the project next to mkdocs.yml; here it is found on sys.path already.
    config = load_config(str(config_file), site_dir=str(tmp_path / "site"), strict=True)

    build(config)

    page = (tmp_path / "site" / "reference" / "websocket-protocol" / "index.html").read_text()
    assert "route_change" in page
    assert "A device&rsquo;s neighbour came or went." in page or "A neighbour of a device came or went." in page
    assert "the neighbour&rsquo;s address" in page or "the address of the neighbour" in page


@pytest.mark.usefixtures("route_change")
def test_the_page_has_a_section_per_socket_and_each_frame_type_under_it():
    text = markdown()
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    assert [s.split("\n", 1)[0] for s in sections] == [f"`{path}`" for path in SOCKETS]
    stats_section = sections[list(SOCKETS).index("/ws/stats/")]
    assert "#### `route_change`" in stats_section
    assert "| `peer` | string | yes | the address of the neighbour |" in stats_section
    assert "| `hosts[].busiest_port` | object | no |" in stats_section
    alerts_section = sections[list(SOCKETS).index("/ws/alerts/")]
    assert "route_change" not in alerts_section


def test_every_type_the_pages_act_on_is_a_catalogued_server_frame():
    handled = types_in_js(JS_HANDLED)
    assert {"hosts", "stats", "alert", "messages", "status", "link"} <= handled  # the pattern still finds them
    assert handled - catalogued(SERVER_TO_CLIENT) == set()


def test_every_type_the_pages_send_is_a_catalogued_client_frame():
    sent = types_in_js(JS_SENT)
    assert {"watch", "ack", "message"} <= sent
    assert sent - catalogued(CLIENT_TO_SERVER) == set()


def test_every_catalogued_server_frame_is_built_by_the_modules_it_names():
    for declared in (t for t in FRAMES.values() if t.direction == SERVER_TO_CLIENT):
        for module in declared.sender:
            assert f'"{declared.name}"' in source_of(module), f"{module} sends no {declared.name!r} frame"


def test_every_catalogued_client_frame_is_handled_by_the_modules_it_names():
    for declared in (t for t in FRAMES.values() if t.direction == CLIENT_TO_SERVER and t.name != ANY_TYPE):
        for module in declared.sender:
            source = source_of(module)
            handles = f"def on_{declared.name}(" in source or f'"{declared.name}"' in source
            assert handles, f"{module} handles no {declared.name!r} frame"


def test_every_socket_in_the_catalogue_is_routed_and_served_by_the_consumer_it_names():
    from NetWorkMonitor.routing import websocket_urlpatterns

    routed = {
        str(p.pattern).replace("<str:room>", "<room>").replace("<slug:slug>", "<slug>") for p in websocket_urlpatterns
    }
    assert {path.lstrip("/") for path in SOCKETS} == routed
    for socket in SOCKETS.values():
        module, _, name = socket.consumer.rpartition(".")
        assert hasattr(import_module(module), name)
    assert all(set(t.sockets) <= set(SOCKETS) for t in FRAMES.values())


def test_the_stats_frame_lists_every_collector_the_agent_runs_and_nothing_else():
    from netmon_agent.collectors import COLLECTORS

    stats = FRAMES[(SERVER_TO_CLIENT, "stats")]
    collected = {f.name for f in stats.fields if not f.required} - {"missing"}
    assert collected == {collector.key for collector in COLLECTORS}

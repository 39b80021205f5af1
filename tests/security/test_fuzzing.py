"""Property-based tests: any frame on any socket, any CSV, any API call the schema allows.

Whatever comes in, the answer is a JSON frame or a 4xx with a reason: never a
traceback, a 500 or a dead socket.
"""

import json

import pytest
import schemathesis
from asgiref.sync import async_to_sync
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from accounts import roles
from api.models import ApiToken
from chat.models import ChatRoom
from monitor.csv_import import COLUMNS, import_hosts
from monitor.models import Host
from tests.conftest import socket
from tests.roles import user_with_role
from tests.waits import EVENT_TIMEOUT_S

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
frame_types = st.sampled_from(["ping", "message", "ack", "watch", "echo", "history", "", "x.y", "__init__", "on_ping"])
frames = st.one_of(
    st.text(max_size=200),  # anything at all
    json_values.map(json.dumps),  # any JSON
    st.fixed_dictionaries(
        {"type": frame_types}, optional={"text": json_values, "id": json_values, "host": json_values}
    ).map(json.dumps),  # frames that look like ours
    st.integers(1, 60).map(lambda depth: "[" * depth * 100 + "]" * depth * 100),  # deep nesting
)
ROUTES = ["/ws/stats/", "/ws/alerts/", "/ws/echo/", "/ws/chat/fuzz/"]


async def exchange(path: str, user, texts: list[str]) -> list[dict]:
    communicator = await socket(path, user)
    connected, _ = await communicator.connect(timeout=EVENT_TIMEOUT_S)
    assert connected
    for text in texts:  # send_input: the test client's send_to refuses an empty text
        await communicator.send_input({"type": "websocket.receive", "text": text})
    await communicator.send_json_to({"type": "ping"})
    replies = []
    while True:
        output = await communicator.receive_output(timeout=EVENT_TIMEOUT_S)
        assert output["type"] == "websocket.send", output  # never closed on a client's frame
        reply = json.loads(output["text"])
        assert isinstance(reply, dict)
        assert isinstance(reply.get("type"), str)
        if reply["type"] == "pong":
            break
        replies.append(reply)
    await communicator.disconnect()
    return replies


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ROUTES)
def test_any_frame_gets_a_frame_back_and_the_socket_lives(path):
    user = user_with_role("fuzzer", roles.OPERATOR)
    ChatRoom.objects.create(name="fuzz")

    @FUZZ
    @given(st.lists(frames, min_size=1, max_size=4))
    def frames_are_answered(texts):
        for reply in async_to_sync(exchange)(path, user, texts):
            if reply["type"] == "error":
                assert "Traceback" not in reply["message"]

    frames_are_answered()


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
check_tokens = st.sampled_from(["ping", "tcp:22", "tcp:x", "http:http://127.0.0.1/", "http:", "dns", "dns:a@b", "snmp"])


@pytest.mark.django_db
@FUZZ
@given(
    st.lists(st.sampled_from(sorted(COLUMNS)), min_size=1, max_size=8),
    st.lists(st.lists(cells | check_tokens, max_size=8), max_size=6),
    st.booleans(),
)
def test_any_csv_is_imported_row_by_row_or_refused_with_a_reason(header, rows, dry_run):
    text = "\n".join([",".join(header)] + [",".join(cell.replace(",", " ") for cell in row) for row in rows])
    before = Host.objects.count()
    report = import_hosts(text, dry_run=dry_run)
    assert all(isinstance(line, int) and message for line, message in report.errors)
    # At most one outcome per line (a cell's line break starts a new row).
    assert report.created + report.updated + len(report.errors) <= len(text.splitlines()) + 1
    if dry_run:
        assert Host.objects.count() == before
    for host in Host.objects.all():
        host.full_clean()  # whatever was saved is valid


@pytest.mark.django_db(transaction=True)
def test_the_api_never_answers_500_to_what_its_schema_allows():
    """schemathesis: every operation of /api/schema/, called with generated input by an admin's writing token."""
    admin = user_with_role("fuzz-admin", roles.ADMIN)
    token = ApiToken(user=admin, name="fuzz", read_only=False)
    headers = {"Authorization": f"Bearer {token.generate()}"}
    token.save()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    statuses = []

    for operation in operations:

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def answered_without_a_server_error(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error])
            assert b"Traceback" not in response.content

        answered_without_a_server_error()
    # It really called: valid calls succeeded and invalid ones were refused.
    assert {200, 201, 400} <= set(statuses), sorted(set(statuses))

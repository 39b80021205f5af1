"""The syslog and SNMP readers as pure functions: what devices send, and anything at all."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import ber, syslog
from netmon_probe.framing import MAX_FRAME, BadInput, Framer
from netmon_probe.token_buckets import TokenBuckets

# Recorded from net-snmp's snmptrap -v2c (linkDown, ifIndex 2, ifDescr eth1) and snmpinform.
V2C_LINK_DOWN = bytes.fromhex(
    "306a02010104067075626c6963a75d020419fb4ff0020100020100304f300f06082b060102010103004303008f9a30170"
    "60a2b06010603010104010006092b0601060301010503300f060a2b0601020102020101020201023012060a2b06010201"
    "0202010202040465746831"
)


def test_it_reads_an_rfc5424_message():
    message = syslog.parse(b'<165>1 2003-10-11T22:14:15.003Z mymachine evntslog - ID47 [exampleSDID@32473 '
                           b'iut="3" eventSource="Application"] \xef\xbb\xbfAn application event')  # fmt: skip
    assert (message.facility, message.severity) == (20, 5)
    assert (message.hostname, message.app, message.text) == ("mymachine", "evntslog", "An application event")


def test_it_reads_an_rfc5424_message_without_structured_data_or_text():
    assert syslog.parse(b"<14>1 - host app 12 - -").text == ""
    assert syslog.parse(b"<14>1 - host app 12 - - hello").text == "hello"


def test_it_reads_an_rfc3164_message():
    message = syslog.parse(b"<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8")
    assert (message.facility, message.severity) == (4, 2)
    assert (message.hostname, message.app) == ("mymachine", "su")
    assert message.text == "'su root' failed for lonvick on /dev/pts/8"


def test_it_reads_an_rfc3164_message_without_a_hostname():
    message = syslog.parse(b"<13>Dec  6 19:00:01 logger: port 3 down")
    assert (message.hostname, message.app, message.text) == ("", "logger", "port 3 down")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty message"),
        (b"no priority", "no priority"),
        (b"<999>1 x", "priority out of range"),
        (b"<14>1 - host", "truncated RFC 5424 header"),
        (b'<14>1 - h a p m [id x="]', "unterminated RFC 5424 structured data"),
        (b"<14>" + b"x" * syslog.MAX_MESSAGE, "oversized message"),
    ],
)
def test_it_refuses_what_is_no_message_with_its_reason(data, reason):
    with pytest.raises(syslog.BadInput, match=reason):
        syslog.parse(data)


def test_it_keeps_invalid_utf8_and_says_so():
    message = syslog.parse(b"<14>Dec  6 19:00:01 host app: caf\xe9 \x00")
    assert message.invalid_utf8
    assert message.text == "caf\ufffd \ufffd"


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_give_a_message_or_a_reason(data):
    try:
        message = syslog.parse(data)
    except syslog.BadInput as error:
        reason = str(error)
        assert reason
        return
    assert "\x00" not in message.text
    assert 0 <= message.severity <= 7


@settings(max_examples=300, deadline=None)
@given(st.from_regex(rb"\A<\d{1,3}>(1 )?[ -~]{0,80}\Z"))
def test_near_syslog_gives_a_message_or_a_reason(data):
    with contextlib.suppress(syslog.BadInput):
        syslog.parse(data)


def test_it_frames_octet_counted_and_newline_ended_streams_in_any_pieces():
    stream = b"11 <14>1 - a b\n<13>x: hello\n5 <13>y"
    for cut in range(len(stream)):
        framer = Framer()
        frames = framer.feed(stream[:cut]) + framer.feed(stream[cut:])
        assert frames == [b"<14>1 - a b", b"<13>x: hello", b"<13>y"]


def test_it_refuses_a_frame_that_grows_past_the_limit():
    framer = Framer()
    with pytest.raises(BadInput, match="oversized frame"):
        framer.feed(b"<13>" + b"x" * (MAX_FRAME + 10))
    with pytest.raises(BadInput, match="bad octet count"):
        Framer().feed(b"99999999 x")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_any_stream_frames_or_gives_a_reason(pieces):
    framer = Framer()
    try:
        for piece in pieces:
            framer.feed(piece)
    except BadInput:
        return
    assert framer.pending <= MAX_FRAME + 8


def test_it_reads_a_v2c_trap():
    notification = ber.decode(V2C_LINK_DOWN)
    assert (notification.version, notification.community) == ("2c", "public")
    assert notification.trap_oid == "1.3.6.1.6.3.1.1.5.3"
    assert ("1.3.6.1.2.1.2.2.1.2.2", b"eth1") in notification.varbinds
    assert notification.request_id is None


def test_it_answers_an_inform_with_its_request_id_and_varbinds():
    inform = bytearray(V2C_LINK_DOWN)
    inform[13] = ber.INFORM  # the PDU tag, after the version and community
    response = ber.inform_response(bytes(inform))
    assert response[13] == ber.RESPONSE
    decoded = ber.decode(bytes(inform))
    assert decoded.request_id == 0x19FB4FF0
    assert response.endswith(V2C_LINK_DOWN[-0x4F - 2 :])  # the varbinds, unchanged


@pytest.mark.parametrize("cut", [1, 5, 20, 60, len(V2C_LINK_DOWN) - 1])
def test_it_refuses_truncated_ber(cut):
    with pytest.raises(ber.BadInput):
        ber.decode(V2C_LINK_DOWN[:cut])


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_give_a_reason(data):
    try:
        ber.decode(data)
    except ber.BadInput as error:
        reason = str(error)
        assert reason


@settings(max_examples=500, deadline=None)
@given(st.integers(0, len(V2C_LINK_DOWN) - 1), st.integers(0, 255))
def test_a_trap_with_any_byte_changed_decodes_or_gives_a_reason(position, value):
    data = bytearray(V2C_LINK_DOWN)
    data[position] = value
    with contextlib.suppress(ber.BadInput):
        ber.decode(bytes(data))


def test_a_source_over_its_rate_is_refused_and_others_are_not():
    buckets = TokenBuckets(rate=10, burst=5)
    assert [buckets.take("a", 0.0) for _ in range(7)] == [True] * 5 + [False] * 2
    assert buckets.take("b", 0.0)
    assert buckets.take("a", 0.1)  # a tenth of a second: one more token


def test_buckets_stay_bounded_under_a_sweep_of_sources():
    buckets = TokenBuckets(rate=1, burst=1, max_sources=100)
    for n in range(10_000):
        buckets.take(f"10.0.{n // 256}.{n % 256}", 0.0)
    assert len(buckets) == 100

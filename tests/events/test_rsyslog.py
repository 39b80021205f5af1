"""rsyslog forwarding to the receiver: an rsyslogd of the test's own (its own config, pid file
and work directory, never the system's) takes messages on a UDP port and forwards them over
TCP with octet counting, as a site's log relay does."""

import asyncio
import shutil
import subprocess
import time

import pytest
from channels.db import database_sync_to_async

from events.models import Event
from tests.events import senders
from tests.processes import events_receiver
from tests.servers import free_port
from tests.waits import EVENT_TIMEOUT_S

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"

CONFIG = """
global(workDirectory="{work}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{listen}")
*.* action(type="omfwd" target="127.0.0.1" port="{forward}" protocol="tcp" TCP_Framing="octet-counted"
           action.resumeRetryCount="-1" queue.type="LinkedList")
"""


@pytest.fixture
def rsyslogd(tmp_path):
    def start(forward: int) -> int:
        listen = free_port()
        (tmp_path / "work").mkdir()
        config = tmp_path / "rsyslog.conf"
        config.write_text(CONFIG.format(work=tmp_path / "work", listen=listen, forward=forward))
        # -n: in the foreground, a child of the test; -i: its own pid file; -f: its own config
        process = subprocess.Popen([RSYSLOGD, "-n", "-f", str(config), "-i", str(tmp_path / "rsyslogd.pid")],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        started.append(process)
        return listen

    started: list[subprocess.Popen] = []
    yield start
    for process in started:
        process.terminate()
        process.wait(10)


async def test_rsyslog_forwards_over_tcp_to_the_receiver(transactional_db, ports, rsyslogd):
    trap_port, syslog_port = ports
    with events_receiver(trap_port, syslog_port):
        relay = rsyslogd(syslog_port)
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        # rsyslogd opens its UDP input a moment after it starts: send until one arrives.
        while not await database_sync_to_async(Event.objects.filter(text__contains="via rsyslog").exists)():
            assert time.monotonic() < deadline, "nothing forwarded by rsyslogd"
            assert senders.logger(relay, "via rsyslog", "-d", "--rfc3164").returncode == 0
            await asyncio.sleep(0.3)
    event = await database_sync_to_async(Event.objects.filter(text__contains="via rsyslog").first)()
    assert event.kind == "syslog"

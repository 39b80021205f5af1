"""The writer keeps a batch the database refused and stores it once the database answers."""

import threading
import time

from django.db import OperationalError

from events import writer
from events.intake import Intake
from events.models import Event
from events.received import Received
from tests.waits import EVENT_TIMEOUT_S


def test_a_batch_the_database_refused_is_stored_when_it_answers(transactional_db, monkeypatch):
    monkeypatch.setattr(writer, "RETRY_S", 0.05)
    real_write, refusals = writer.write, []

    def flaky(batch):
        if len(refusals) < 3:  # the database is away for three tries
            refusals.append(len(batch))
            raise OperationalError("connection refused")
        real_write(batch)

    monkeypatch.setattr(writer, "write", flaky)
    intake = Intake()
    for n in range(3):
        intake.take(Received(ts=time.time(), kind="syslog", source="198.18.0.1", severity=5, text=f"kept {n}"))
    stop = threading.Event()
    thread = threading.Thread(target=writer.Writer(intake, lambda users: None, lambda: None).run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while Event.objects.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(EVENT_TIMEOUT_S)
    assert refusals == [3, 3, 3]
    assert sorted(Event.objects.values_list("text", flat=True)) == ["kept 0", "kept 1", "kept 2"]

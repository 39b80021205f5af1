"""The receiver's database thread: events stored in batches, port states and reboots applied,
unknown sources counted, then `events_recorded` sent (core.contracts.signals).

It also reloads what the loop reads from the database (the source directory, the
SNMPv3 trap users) every sources.RELOAD_S.
"""

import json
import logging
import queue
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from django.db import close_old_connections, connection, transaction
from django.db.models import F

from core.contracts import signals
from core.web.health import DATABASE_DOWN
from events import sources
from events.intake import Intake
from events.models import Event, TrapUser, UnknownSource, VendorMib
from events.received import Received
from monitor.devices.models import Device, Interface

logger = logging.getLogger(__name__)

BATCH = 5000  # events in one transaction at most
WAIT_S = 0.1  # a batch is written at most this long after its first event arrived
RETRY_S = 1.0  # between tries while the database does not answer


def moment(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


COLUMNS = ("device_id", "source", "kind", "severity", "facility", "app", "trap_oid", "trap_name", "varbinds", "text",
           "received_at")  # fmt: skip


def db_json():
    """How a varbinds list is passed to this database: SQLite stores the JSON text itself."""
    if connection.vendor == "sqlite":
        return json.dumps
    field = Event._meta.get_field("varbinds")
    return lambda value: field.get_db_prep_save(value, connection)


def db_time():
    """How a unix time is passed to this database (SQLite: UTC text, as Django writes it)."""
    if connection.vendor == "sqlite":
        return lambda ts: datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat(" ")
    return moment


def insert(batch: list[Received]) -> None:
    """One INSERT for the batch. Not bulk_create: building a model instance per event cost
    more than the insert itself (bench/events.py), and nothing here needs the rows back."""
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(Event._meta.db_table)} ({', '.join(map(quote, COLUMNS))}) "
           f"VALUES ({', '.join(['%s'] * len(COLUMNS))})")  # fmt: skip
    as_json, as_time = db_json(), db_time()
    rows = [
        (e.device, e.source, e.kind, e.severity, e.facility, e.app, e.trap_oid[:255], e.trap_name[:128],
         as_json(e.varbinds), e.text, as_time(e.ts))
        for e in batch
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def count_unknown(batch: list[Received]) -> None:
    counts = Counter(event.source for event in batch if event.device is None)
    latest = {event.source: event.ts for event in batch if event.device is None}
    for address, count in counts.items():
        seen = moment(latest[address])
        if not UnknownSource.objects.filter(address=address).update(count=F("count") + count, last_seen=seen):
            UnknownSource.objects.create(address=address, count=count, first_seen=seen, last_seen=seen)


def apply_links(batch: list[Received]) -> list[Interface]:
    """linkDown / linkUp set the port's state at once, before the next poll: the ports that changed."""
    changed = []
    for event in batch:
        if event.device is None or event.link is None:
            continue
        index, up = event.link
        status = "up" if up else "down"
        port = Interface.objects.filter(host_id=event.device, index=index).first()
        if port is None or port.oper_status == status:
            continue
        port.oper_status, port.oper_changed_at = status, moment(event.ts)
        port.save(update_fields=["oper_status", "oper_changed_at"])
        changed.append(port)
    return changed


def mark_reboots(batch: list[Received]) -> None:
    for event in batch:
        if event.device is not None and event.reboot:
            Device.objects.filter(host_id=event.device).update(restarted_at=moment(event.ts))


def store(batch: list[Received]) -> list[Interface]:
    """The batch's rows and what they change, in the caller's transaction; returns the ports changed."""
    insert(batch)
    count_unknown(batch)
    interfaces = apply_links(batch)
    mark_reboots(batch)
    return interfaces


def write(batch: list[Received]) -> None:
    close_old_connections()
    with transaction.atomic():
        interfaces = store(batch)
    signals.send_logged(signals.events_recorded, Event, events=batch, interfaces=interfaces)


def trap_users() -> set[tuple]:
    fields = ("user", "engine_id", "auth_protocol", "auth_password", "priv_protocol", "priv_password")
    return {tuple(getattr(u, f) for f in fields) for u in TrapUser.objects.all()}


def vendor_mibs() -> tuple:
    """What identifies the compiled vendor MIBs: a change means the receiver loads them again."""
    return tuple(VendorMib.objects.filter(compiled=True).order_by("name").values_list("name", "uploaded_at"))


class Writer:
    def __init__(self, intake: Intake, on_users, on_mibs) -> None:
        """`on_users(users)`: called from this thread with the trap users, each reload;
        `on_mibs()`: when the compiled vendor MIBs changed."""
        self.intake, self.on_users, self.on_mibs = intake, on_users, on_mibs
        self.reloaded, self.mibs = 0.0, ()
        # A batch the database did not take; meanwhile new events wait in the intake's bounded backlog.
        self.unwritten: list[Received] = []
        self.failing = False

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.step()
            except DATABASE_DOWN as error:  # the batch in hand is kept, and written once it answers
                if not self.failing:
                    logger.error("events not stored (%s); %d kept, retrying", type(error).__name__, len(self.unwritten))
                self.failing = True
                stop.wait(RETRY_S)

    def step(self) -> None:
        if time.monotonic() - self.reloaded >= sources.RELOAD_S:
            self.reload()
        self.unwritten = self.unwritten or self.next_batch()
        if self.unwritten:
            write(self.unwritten)
            self.unwritten = []
        if self.failing:
            logger.info("events stored again")
            self.failing = False

    def reload(self) -> None:
        close_old_connections()
        self.intake.directory = sources.load()  # one assignment: the loop sees the old or the new
        self.on_users(trap_users())
        if (mibs := vendor_mibs()) != self.mibs:
            self.mibs = mibs
            self.on_mibs()
        self.reloaded = time.monotonic()

    def next_batch(self) -> list[Received]:
        try:
            batch = [self.intake.to_write.get(timeout=WAIT_S)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + WAIT_S
        while len(batch) < BATCH and (left := deadline - time.monotonic()) > 0:
            try:
                batch.append(self.intake.to_write.get(timeout=left))
            except queue.Empty:
                break
        return batch

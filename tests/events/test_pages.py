"""The Events page, /api/events/ with its filters, text search on the engine in use, CSV,
and the vendor MIB upload compiled in admin."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import roles
from events.models import Event, UnknownSource, VendorMib
from monitor.models import Host, Tag
from tests.roles import user_with_role
from tests.status.test_api_and_exports import rows_of


@pytest.fixture
def stored(db):
    return make_events()


@pytest.fixture
def committed(transactional_db):
    """A download streams from another thread: it reads committed rows."""
    return make_events()


def make_events() -> dict:
    core = Tag.objects.create(name="core")
    edge = Host.objects.create(name="edge-1", address="198.18.0.1")
    edge.tags.add(core)
    other = Host.objects.create(name="edge-2", address="198.18.0.2")
    now = timezone.now()
    Event.objects.bulk_create([
        Event(device=edge, source="198.18.0.1", kind="trap", severity=4, trap_name="IF-MIB::linkDown",
              text="IF-MIB::ifIndex.2=2 IF-MIB::ifDescr.2=eth1", received_at=now - timedelta(seconds=3)),
        Event(device=edge, source="198.18.0.1", kind="syslog", severity=2, facility=4, app="sshd",
              text="authentication failure for admin from 203.0.113.9", received_at=now - timedelta(seconds=2)),
        Event(device=other, source="198.18.0.2", kind="syslog", severity=6, facility=1, app="cron",
              text="session opened for user root", received_at=now - timedelta(seconds=1)),
        Event(source="198.18.0.99", kind="syslog", severity=5, text="from a stranger", received_at=now),
    ])  # fmt: skip
    UnknownSource.objects.create(address="198.18.0.99", count=1)
    return {"edge": edge, "other": other}


def client(role: str) -> Client:
    web = Client(HTTP_HOST="localhost")
    web.force_login(user_with_role(role, role))
    return web


def texts(response) -> list[str]:
    return [row["text"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            [
                "from a stranger",
                "session opened for user root",
                "authentication failure for admin from 203.0.113.9",
                "IF-MIB::ifIndex.2=2 IF-MIB::ifDescr.2=eth1",
            ],
        ),
        ("?tag=core&kind=syslog", ["authentication failure for admin from 203.0.113.9"]),
        (
            "?severity=4",
            ["authentication failure for admin from 203.0.113.9", "IF-MIB::ifIndex.2=2 IF-MIB::ifDescr.2=eth1"],
        ),
        ("?facility=1", ["session opened for user root"]),
        ("?trap_name=linkdown", ["IF-MIB::ifIndex.2=2 IF-MIB::ifDescr.2=eth1"]),
        ("?q=authentication+failure", ["authentication failure for admin from 203.0.113.9"]),
        ("?q=failure+authentication", ["authentication failure for admin from 203.0.113.9"]),
        ('?q="root"*(', ["session opened for user root"]),  # FTS5 syntax is quoted away
        ("?source=198.18.0.99", ["from a stranger"]),
    ],
)
def test_the_api_lists_events_newest_first_with_filters_and_text_search(stored, query, expected):
    response = client(roles.VIEWER).get(f"/api/events/{query}")
    assert response.status_code == 200
    assert texts(response) == expected


@pytest.mark.parametrize("query", ["?severity=9", "?device=abc", "?kind=mail", "?source=not-an-ip"])
def test_a_bad_filter_is_a_400_that_says_what_to_write(stored, query):
    response = client(roles.VIEWER).get(f"/api/events/{query}")
    assert response.status_code == 400
    assert '"' in response.json()["detail"]


def test_the_device_filter_and_csv_export(committed):
    response = client(roles.VIEWER).get(f"/api/events/?device={committed['edge'].pk}&format=csv")
    rows = rows_of(response)
    assert [row["trap_name"] for row in rows] == ["IF-MIB::linkDown", ""]  # oldest first
    assert rows[1]["device"] == "edge-1"


def test_the_events_page_shows_events_unknown_sources_and_who_may_add_them(stored):
    page = client(roles.VIEWER).get("/events/?q=session").content.decode()
    assert "session opened for user root" in page
    assert "authentication failure" not in page
    assert "198.18.0.99" in page
    assert "add as device" not in page  # a viewer adds no host
    admin = client(roles.ADMIN)
    page = admin.get("/events/").content.decode()
    assert "/admin/monitor/host/add/?address=198.18.0.99" in page
    Host.objects.create(name="stranger", address="198.18.0.99")  # added as a device: no longer unknown
    page = admin.get("/events/").content.decode()
    assert "/admin/monitor/host/add/?address=198.18.0.99" not in page


def test_the_events_page_says_what_a_bad_filter_needs(stored):
    page = client(roles.VIEWER).get("/events/?severity=12").content.decode()
    assert "&quot;severity&quot; must be a whole number from 0 to 7" in page


def test_the_device_page_is_seeded_with_its_events(stored):
    page = client(roles.VIEWER).get(f"/hosts/{stored['edge'].pk}/").content.decode()
    assert "authentication failure for admin" in page
    assert "session opened for user root" not in page


VENDOR_MIB = """ACME-TRAPS-MIB DEFINITIONS ::= BEGIN
IMPORTS MODULE-IDENTITY, NOTIFICATION-TYPE, OBJECT-TYPE, Integer32, enterprises FROM SNMPv2-SMI;
acme MODULE-IDENTITY
    LAST-UPDATED "202601010000Z" ORGANIZATION "Acme" CONTACT-INFO "noc" DESCRIPTION "Acme traps"
    ::= { enterprises 99999 }
acmeFanIndex OBJECT-TYPE SYNTAX Integer32 MAX-ACCESS accessible-for-notify STATUS current
    DESCRIPTION "The fan." ::= { acme 1 }
acmeFanFailed NOTIFICATION-TYPE OBJECTS { acmeFanIndex } STATUS current
    DESCRIPTION "A fan failed." ::= { acme 0 1 }
END
"""


def upload(web: Client, text: str, name: str = "mib.txt"):
    return web.post("/admin/events/vendormib/add/", {"file": io.BytesIO(text.encode()) | _named(name)}, follow=True)


def _named(name):
    class Named:
        def __ror__(self, stream):
            stream.name = name
            return stream

    return Named()


def test_an_uploaded_vendor_mib_is_compiled_and_names_its_traps(db, settings, tmp_path):
    settings.VENDOR_MIB_DIR = str(tmp_path)
    response = upload(client(roles.ADMIN), VENDOR_MIB)
    assert response.status_code == 200
    mib = VendorMib.objects.get(name="ACME-TRAPS-MIB")
    assert mib.compiled, mib.errors
    from events.mibs import Names

    assert Names().name("1.3.6.1.4.1.99999.0.1") == "ACME-TRAPS-MIB::acmeFanFailed"


def test_a_vendor_mib_that_does_not_compile_shows_why(db, settings, tmp_path):
    settings.VENDOR_MIB_DIR = str(tmp_path)
    broken = VENDOR_MIB.replace("::= { acme 0 1 }", "::= { acme 0 ").replace(
        "FROM SNMPv2-SMI;", "FROM SNMPv2-SMI\n  ifIndex FROM NO-SUCH-MIB;"
    )
    page = upload(client(roles.ADMIN), broken).content.decode()
    mib = VendorMib.objects.get(name="ACME-TRAPS-MIB")
    assert not mib.compiled
    assert mib.errors
    assert "did not compile" in page

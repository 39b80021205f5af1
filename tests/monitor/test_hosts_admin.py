"""Admin: bad input is rejected with a message; CSV import reports each bad row; pages need a login."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from monitor.csv_import import import_hosts
from monitor.models import Check, Host, Status, Tag

INLINE = "checks-"


@pytest.fixture
def admin_client(transactional_db):
    user = get_user_model().objects.create_superuser("root", password="pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


def host_form(**overrides) -> dict:
    data = {
        "name": "web-1",
        "address": "127.0.0.1",
        "enabled": "on",
        "notes": "",
        f"{INLINE}TOTAL_FORMS": "0",
        f"{INLINE}INITIAL_FORMS": "0",
        f"{INLINE}MIN_NUM_FORMS": "0",
        f"{INLINE}MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def with_check(data: dict, **check) -> dict:
    fields = {"kind": "tcp", "enabled": "on", "interval_s": "30", "timeout_s": "5", "ping_count": "5",
              "http_method": "GET", "follow_redirects": "on", "verify_tls": "on", "dns_record_type": "A",
              "snmp_version": "2c", "auth_protocol": "SHA-256", "priv_protocol": "AES", "snmp_retries": "1",
              "max_hops": "30"}  # fmt: skip
    fields.update(check)
    data = {**data, f"{INLINE}TOTAL_FORMS": "1"}
    data.update({f"{INLINE}0-{name}": value for name, value in fields.items()})
    return data


def post_host(client, data):
    return client.post("/admin/monitor/host/add/", data)


@pytest.mark.parametrize(
    ("address", "accepted"),
    [("127.0.0.1", True), ("::1", True), ("db-1.lan", True), ("localhost", True),
     ("300.1.1.1", False), ("bad host", False), ("-x.lan", False), ("a" * 64 + ".lan", False)],
)  # fmt: skip
def test_addresses_are_validated(admin_client, address, accepted):
    response = post_host(admin_client, host_form(address=address))
    if accepted:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Host.objects.get().address == address
    else:
        assert response.status_code == 200
        assert "is neither an IP address nor a valid hostname" in response.content.decode()
        assert not Host.objects.exists()


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"kind": "tcp"}, "A TCP check needs a port."),
        ({"kind": "tcp", "port": "70000"}, "A port is a number from 1 to 65535."),
        ({"kind": "http"}, "An HTTP check needs a URL."),
        ({"kind": "http", "url": "ftp://127.0.0.1/"}, "The URL must start with http:// or https://."),
        ({"kind": "http", "url": "http://exa mple/"}, "is not a valid URL."),
        ({"kind": "tcp", "port": "22", "interval_s": "2"}, "Checks run at most every 5 seconds."),
        (
            {"kind": "tcp", "port": "22", "interval_s": "10", "timeout_s": "10"},
            "The timeout must be shorter than the interval (10 s).",
        ),
        ({"kind": "dns", "dns_server": "resolver.lan"}, "the DNS server must be an IP address"),
        ({"kind": "dns", "dns_name": "not a name"}, "is not a valid DNS name."),
        ({"kind": "tcp", "port": "22", "degraded_loss_pct": "5"}, "Only ping checks measure packet loss."),
    ],
)
def test_invalid_checks_are_rejected_with_a_message(admin_client, check, message):
    response = post_host(admin_client, with_check(host_form(), **check))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Host.objects.exists()


def test_a_valid_host_with_a_check_is_saved(admin_client):
    response = post_host(admin_client, with_check(host_form(), kind="tcp", port="22"))
    assert response.status_code == 302
    check = Check.objects.get()
    assert (check.host.name, check.port, check.interval_s, check.status) == ("web-1", 22, 30, Status.PENDING)


def test_bulk_disable_pauses_hosts(admin_client):
    host = Host.objects.create(name="a", address="127.0.0.1")
    response = admin_client.post(
        "/admin/monitor/host/", {"action": "disable", "_selected_action": [host.pk]}, follow=True
    )
    assert "1 hosts paused." in response.content.decode()
    host.refresh_from_db()
    assert (host.enabled, host.status) == (False, Status.PAUSED)


def test_admin_list_filters_by_status_and_tag(admin_client):
    prod = Tag.objects.create(name="prod")
    up = Host.objects.create(name="up-host", address="127.0.0.1")
    Host.objects.filter(pk=up.pk).update(status=Status.UP)
    up.tags.add(prod)
    Host.objects.create(name="down-host", address="127.0.0.2")
    Host.objects.filter(name="down-host").update(status=Status.DOWN)
    page = admin_client.get("/admin/monitor/host/?status__exact=down").content.decode()
    assert "down-host" in page
    assert "up-host" not in page
    page = admin_client.get(f"/admin/monitor/host/?tags__id__exact={prod.pk}").content.decode()
    assert "up-host" in page
    assert "down-host" not in page


CSV = """name,address,tags,enabled,interval,checks
web-1,127.0.0.1,prod web,yes,30,ping tcp:22 http:http://127.0.0.1:8080/health
web-2,not a host!,prod,,30,ping
db-1,127.0.0.2,db,maybe,30,tcp:5432
ns-1,127.0.0.3,dns,,60,dns:web.lan@127.0.0.53:5353
bad-check,127.0.0.4,,,30,smtp:25
slow,127.0.0.5,,,2,tcp:22
"""


def test_csv_import_keeps_good_rows_and_reports_bad_ones(transactional_db):
    report = import_hosts(CSV)
    assert (report.created, report.checks_added) == (2, 4)
    errors = dict(report.errors)
    assert set(errors) == {3, 4, 6, 7}
    assert "address: “not a host!” is neither an IP address nor a valid hostname" in errors[3]
    assert errors[4] == "enabled: 'maybe' is not yes or no"
    assert errors[6].startswith("'smtp:25' is not a check")
    assert "interval_s: Checks run at most every 5 seconds." in errors[7]
    assert sorted(Host.objects.values_list("name", flat=True)) == ["ns-1", "web-1"]
    assert sorted(Host.objects.get(name="web-1").tags.values_list("name", flat=True)) == ["prod", "web"]
    assert Check.objects.get(kind="dns").dns_server == "127.0.0.53:5353"


def test_csv_import_again_updates_without_duplicating_checks(transactional_db):
    import_hosts(CSV)
    report = import_hosts("name,address,checks\nweb-1,127.0.0.9,ping tcp:22 tcp:23\n")
    assert (report.created, report.updated, report.checks_added, report.errors) == (0, 1, 1, [])
    assert Host.objects.get(name="web-1").address == "127.0.0.9"
    assert Check.objects.filter(host__name="web-1").count() == 4


def test_csv_dry_run_saves_nothing(transactional_db):
    report = import_hosts(CSV, dry_run=True)
    assert report.created == 2
    assert not Host.objects.exists()


def test_csv_header_must_name_name_and_address(transactional_db):
    assert import_hosts("host,ip\na,127.0.0.1\n").errors == [
        (1, "the header row must name at least the columns name and address")
    ]


def test_csv_upload_in_admin_lists_rejected_rows(admin_client):
    upload = SimpleUploadedFile("hosts.csv", CSV.encode(), content_type="text/csv")
    response = admin_client.post("/admin/monitor/host/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 hosts created, 0 updated, 4 checks added, 4 rows rejected" in page
    assert "is not yes or no" in page
    assert Host.objects.count() == 2


def test_import_command_reports_rows_and_fails_on_errors(transactional_db, tmp_path, capsys):
    path = tmp_path / "hosts.csv"
    path.write_text(CSV)
    with pytest.raises(CommandError, match="4 rows rejected"):
        call_command("import_hosts", str(path))
    assert "line 4: enabled: 'maybe' is not yes or no" in capsys.readouterr().err


def test_host_pages_need_a_login(alice):  # an account exists: no first-run setup
    host = Host.objects.create(name="a", address="127.0.0.1")
    for url in (f"/hosts/{host.pk}/", "/hosts/grid.json"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_host_page_escapes_user_text(admin_client):
    host = Host.objects.create(name="<b>x</b>", address="127.0.0.1", notes="<script>alert(1)</script>")
    page = admin_client.get(f"/hosts/{host.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_dashboard_embeds_the_host_grid(admin_client):
    Host.objects.create(name="web-1", address="127.0.0.1")
    page = admin_client.get("/").content.decode()
    assert '"name": "web-1"' in page
    assert '"status": "pending"' in page

"""Status pages over HTTP: who may read them, what they carry, and how they are cached."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from monitor.models import Check
from status import publishing
from status.models import Notice, StatusPage
from tests.status.conftest import SECRETS, run


def get(path: str, client: Client | None = None, **headers):
    return (client or Client()).get(path, headers=headers)


def test_an_anonymous_visitor_reads_a_public_page(public_page):
    run(Check.objects.get(), timezone.now() - timedelta(minutes=1))
    response = get("/status/shop/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shop status" in html
    assert "Web shop" in html
    assert "All services are operational" in html
    assert 'data-socket="/ws/status/shop/"' in html
    assert "public" in response["Cache-Control"]
    assert "max-age=5" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")  # the same bytes for everyone: a proxy may share them


def test_a_login_only_page_sends_a_visitor_to_log_in(public_page, alice):
    StatusPage.objects.filter(pk=public_page.pk).update(public=False)
    response = get("/status/shop/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/status/shop/"
    assert get("/status/shop/status.json").status_code == 302
    client = Client()
    client.force_login(alice)
    response = get("/status/shop/", client)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_an_unknown_page_is_404(alice):
    assert get("/status/nope/").status_code == 404


def test_neither_page_nor_document_nor_badge_carries_an_address_url_or_error(public_page, web_host):
    check = Check.objects.get()
    run(check, timezone.now() - timedelta(minutes=1), error="connect to db-7.corp.example:8443 refused, token=s3cret")
    page = get("/status/shop/").content.decode()
    document = get("/status/shop/status.json").content.decode()
    badge = get(f"/status/shop/badge/{web_host.id}.svg").content.decode()
    assert json.loads(document)["sections"][0]["hosts"][0]["state"] == "down"
    for text in (page, document, badge):
        for secret in SECRETS:
            assert secret not in text


def test_reasons_are_shown_only_when_chosen_and_then_without_secrets(public_page):
    StatusPage.objects.filter(pk=public_page.pk).update(show_reasons=True)
    run(Check.objects.get(), timezone.now(), error="GET https://u:hunter2@web/health?token=s3cret: 503")
    publishing.refresh(StatusPage.objects.get())
    host = json.loads(get("/status/shop/status.json").content)["sections"][0]["hosts"][0]
    assert host["reason"].startswith("GET https://")
    assert "503" in host["reason"]
    assert "hunter2" not in host["reason"]
    assert "s3cret" not in host["reason"]


def test_an_unchanged_page_is_a_304_and_a_change_gives_a_new_etag(public_page):
    first = get("/status/shop/status.json")
    etag = first["ETag"]
    again = get("/status/shop/status.json", If_None_Match=etag)
    assert again.status_code == 304
    assert again.content == b""
    run(Check.objects.get(), timezone.now(), error="refused")
    publishing.refresh(StatusPage.objects.get())
    changed = get("/status/shop/status.json", If_None_Match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_an_edited_notice_is_on_the_page_once_committed(public_page):
    get("/status/shop/status.json")  # stored before the edit
    Notice.objects.create(page=public_page, title="Payments delayed", message="We are on it.")
    notices = json.loads(get("/status/shop/status.json").content)["notices"]
    assert [n["title"] for n in notices] == ["Payments delayed"]


def test_badges_show_state_or_uptime(public_page, web_host):
    run(Check.objects.get(), timezone.now() - timedelta(minutes=1))
    state = get(f"/status/shop/badge/{web_host.id}.svg")
    assert state["Content-Type"] == "image/svg+xml"
    assert ">UP<" in state.content.decode()
    assert ">Web shop<" in state.content.decode()
    uptime = get(f"/status/shop/badge/{web_host.id}.svg?show=uptime&period=7d").content.decode()
    assert ">uptime 7d<" in uptime
    assert ">100.00%<" in uptime
    escaped = get(f"/status/shop/badge/{web_host.id}.svg?label=<script>").content.decode()
    assert "<script>" not in escaped
    assert "&lt;script&gt;" in escaped
    assert get(f"/status/shop/badge/{web_host.id}.svg?period=1y").status_code == 400
    assert get(f"/status/shop/badge/{web_host.id + 99}.svg").status_code == 404


@pytest.mark.parametrize("content", [b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"])
def test_an_svg_logo_cannot_run_scripts_when_opened_alone(public_page, content):
    StatusPage.objects.filter(pk=public_page.pk).update(logo=content, logo_type="image/svg+xml")
    response = get("/status/shop/logo")
    assert response.status_code == 200
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_page_with_its_own_domain_answers_at_that_domains_root(public_page, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "status.shop.example"]
    StatusPage.objects.filter(pk=public_page.pk).update(domain="status.shop.example")
    page = Client().get("/", headers={"Host": "status.shop.example"})
    assert "Cookie" not in page.get("Vary", "")
    assert page.status_code == 200
    assert "Shop status" in page.content.decode()
    assert Client().get("/", headers={"Host": "localhost"}).status_code == 302  # the dashboard, for signed-in users


def test_the_periodic_pass_announces_only_a_page_that_changed(public_page):
    publishing.current(public_page)  # stored
    assert publishing.refresh_all() == 0
    Notice.objects.bulk_create([Notice(page=public_page, title="Planned upgrade")])  # no signal: only the pass sees it
    assert publishing.refresh_all() == 1
    assert "Planned upgrade" in publishing.stored(public_page.id).text

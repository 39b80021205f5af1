"""First run: with no account, every page leads to creating the first administrator."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.async_api import expect

from accounts import roles
from tests import processes
from tests.browser import PASSWORD


def test_every_page_leads_to_the_setup_while_no_account_exists(db):
    client = Client(HTTP_HOST="localhost")
    for path in ("/", "/alerts/", "/chat/ops/", "/accounts/login/", "/admin/", "/accounts/profile/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/setup/"), path
    # What is not a page answers for itself.
    assert client.get("/api/hosts/").status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/setup/").status_code == 200


def test_the_first_administrator_is_made_once(db):
    client = Client(HTTP_HOST="localhost")
    weak = client.post("/setup/", {"username": "ops", "password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    assert "too common" in weak.content.decode()
    assert not get_user_model().objects.exists()

    made = client.post("/setup/", {"username": "ops", "password1": PASSWORD, "password2": PASSWORD})
    assert (made.status_code, made["Location"]) == (302, "/")
    admin = get_user_model().objects.get()
    assert (admin.username, admin.is_superuser, admin.is_staff) == ("ops", True, True)
    assert list(admin.groups.values_list("name", flat=True)) == [roles.ADMIN]
    assert client.get("/").status_code == 200  # logged in by it

    # Then the setup is gone, for everyone, and pages ask for a login again.
    stranger = Client(HTTP_HOST="localhost")
    again = stranger.post("/setup/", {"username": "eve", "password1": PASSWORD, "password2": PASSWORD})
    assert again.status_code == 404
    assert stranger.get("/")["Location"] == "/accounts/login/?next=/"
    assert get_user_model().objects.count() == 1


@pytest.mark.browser
async def test_a_new_installation_starts_with_the_setup_page(transactional_db, browser, unused_tcp_port):
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with processes.daphne(unused_tcp_port):
        page = await (await browser.new_context()).new_page()
        await page.goto(f"{base_url}/")
        await expect(page).to_have_url(f"{base_url}/setup/")
        await expect(page.locator("h1")).to_have_text("Create the first administrator")
        await page.fill("#id_username", "ops")
        await page.fill("#id_password1", PASSWORD)
        await page.fill("#id_password2", PASSWORD)
        await page.click("main button[type=submit]")
        await expect(page).to_have_url(f"{base_url}/")
        await expect(page.locator(".topbar .user")).to_have_text("ops")
        await expect(page.locator(".topbar nav")).to_contain_text("Admin")

"""Signing in through a real OpenID provider (node's oidc-provider in its own process), in Chromium:
the redirect, the provider's login and consent, the callback, and the role from a claim."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from playwright.async_api import expect

from accounts import oidc, roles
from tests import processes
from tests.oidc_server import CLIENT_ID, CLIENT_SECRET, oidc_provider

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "erin": {"preferred_username": "erin", "email": "erin@example.test", "roles": ["viewer", "operator"]},
    "frank": {"preferred_username": "frank", "email": "frank@example.test", "roles": ["guest"]},
    "root": {"preferred_username": "root", "roles": ["admin"]},  # the name of a local account
}


async def through_provider(page, base_url: str, login: str) -> None:
    await page.goto(f"{base_url}/")
    await page.click("#oidc-sign-in")
    await page.fill("input[name=login]", login)  # the provider's own login page
    await page.fill("input[name=password]", "any")
    await page.click("button[type=submit]")
    await expect(page.locator("button[type=submit]")).to_have_text("Continue")  # its consent page
    await page.click("button[type=submit]")


def role_names(username: str) -> set[str]:
    return set(get_user_model().objects.get(username=username).groups.values_list("name", flat=True))


@pytest.mark.django_db(transaction=True)
async def test_it_signs_in_through_the_provider_with_the_role_its_claim_gives(browser, unused_tcp_port, monkeypatch):
    await database_sync_to_async(get_user_model().objects.create_superuser)("root", password="local horse battery")
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    with oidc_provider(f"{base_url}/oidc/callback/", ACCOUNTS) as issuer:
        environment = {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                       "OIDC_ROLE_CLAIM": "roles"}  # fmt: skip
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        oidc.discovery.cache_clear()
        with processes.daphne(unused_tcp_port):
            page = await browser.new_page()
            await through_provider(page, base_url, "erin")
            await expect(page).to_have_url(f"{base_url}/")
            await expect(page.locator("a.user")).to_have_text("erin")
            assert await database_sync_to_async(role_names)("erin") == {roles.OPERATOR}

            refused = await browser.new_page()
            await through_provider(refused, base_url, "frank")  # no role in the claim
            await expect(refused).to_have_url(f"{base_url}/accounts/login/?failed=oidc")
            await expect(refused.locator(".error")).to_contain_text("no role here")

            local = await browser.new_page()
            await through_provider(local, base_url, "root")  # never the local superuser
            await expect(local).to_have_url(f"{base_url}/accounts/login/?failed=oidc")
    root = await database_sync_to_async(get_user_model().objects.get)(username="root")
    assert root.is_active
    assert root.has_usable_password()
    assert not await database_sync_to_async(get_user_model().objects.filter(username="frank").exists)()

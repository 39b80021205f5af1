"""axe-core finds nothing serious on the on-call and second-factor pages, in either theme."""

from datetime import date, time

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import expect

from oncall.models import Participant, Rotation, Schedule, Team
from tests import processes
from tests.accounts.test_browser_languages import serious_violations
from tests.browser import log_in

pytestmark = pytest.mark.browser


def on_call_pages(alice) -> list[str]:
    team = Team.objects.create(name="network")
    team.members.add(alice)
    schedule = Schedule.objects.create(team=team, name="primary", time_zone="Europe/Berlin")
    weekly = Rotation.objects.create(schedule=schedule, name="weekly", first_day=date(2026, 1, 5), handoff=time(9))
    Participant.objects.create(rotation=weekly, user=alice)
    return ["/", "/oncall/", f"/oncall/teams/{team.pk}/", "/accounts/profile/", "/accounts/second-factor/enrol/"]


async def test_axe_finds_nothing_serious_on_the_new_pages(alice, browser, unused_tcp_port):
    paths = await database_sync_to_async(on_call_pages)(alice)
    base_url = f"http://127.0.0.1:{unused_tcp_port}"
    found = {}
    with processes.daphne(unused_tcp_port):
        for scheme in ("light", "dark"):
            # axe is injected as a file: bypass the page's Content-Security-Policy for it alone.
            context = await browser.new_context(
                color_scheme=scheme, bypass_csp=True, viewport={"width": 1280, "height": 900}
            )
            page = await context.new_page()
            await log_in(page, base_url)
            for path in paths:
                await page.goto(f"{base_url}{path}")
                await expect(page.locator("html")).to_have_attribute("data-theme", scheme)
                await page.wait_for_load_state("networkidle")
                found[(scheme, path)] = await serious_violations(page)
            await expect(page.locator("#totp-key")).not_to_be_empty()  # the enrolment page was drawn
            await context.close()
    assert found == {key: [] for key in found}

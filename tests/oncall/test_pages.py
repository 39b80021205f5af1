"""Who is on call now (the dashboard, the team page), taking a shift, and the calendar feeds."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import roles
from oncall.models import Override, Participant, Rotation, Schedule, Team
from tests.roles import user_with_role


@pytest.fixture
def team(db):
    people = [user_with_role(name, roles.OPERATOR) for name in ("ann", "ben")]
    team = Team.objects.create(name="network")
    team.members.set(people)
    schedule = Schedule.objects.create(team=team, name="primary", time_zone="Europe/Berlin")
    # A daily rotation that began today at midnight local time: ann now, ben from tomorrow.
    today = timezone.now().astimezone(timezone.get_fixed_timezone(0)).date() - timedelta(days=2)
    daily = Rotation.objects.create(schedule=schedule, name="daily", first_day=today, handoff=time(0), length_days=2)
    for position, person in enumerate(people):
        Participant.objects.create(rotation=daily, user=person, position=position)
    return team


def signed_in(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def on_call_cells(html: str) -> list[str]:
    import re

    return re.findall(r'<td class="on-call-person">([^<]*)</td>', html)


def test_it_shows_who_is_on_call_on_the_dashboard_and_the_team_page(team):
    now = timezone.now()
    Override.objects.create(schedule=team.schedules.get(), user=team.members.get(username="ben"),
                            start=now - timedelta(hours=1), end=now + timedelta(hours=1))  # fmt: skip
    for path in ("/", f"/oncall/teams/{team.pk}/", "/oncall/"):
        assert on_call_cells(signed_in("ann").get(path).content.decode()) == ["ben"], path
    Override.objects.all().delete()
    assert len(on_call_cells(signed_in("ann").get("/").content.decode())) == 1


def test_an_operator_of_the_team_takes_a_shift_in_the_schedules_zone(team):
    schedule = team.schedules.get()
    response = signed_in("ben").post(
        f"/oncall/schedules/{schedule.pk}/overrides/", {"start": "2026-10-24T00:00", "end": "2026-10-26T00:00"}
    )
    assert response.status_code == 302
    taken = Override.objects.get()
    assert (taken.user.username, taken.start.isoformat(), taken.end - taken.start) == (
        "ben", "2026-10-23T22:00:00+00:00", timedelta(hours=49)  # Berlin leaves summer time on the 25th
    )  # fmt: skip


def test_an_operator_outside_the_team_and_a_bad_shift_are_refused(team):
    user_with_role("out", roles.OPERATOR)
    path = f"/oncall/schedules/{team.schedules.get().pk}/overrides/"
    assert signed_in("out").post(path, {"start": "2026-10-24T00:00", "end": "2026-10-25T00:00"}).status_code == 403
    signed_in("ann").post(path, {"start": "2026-10-24T00:00", "end": "2026-10-23T00:00"})
    signed_in("ann").post(path, {"start": "tomorrow", "end": ""})
    assert not Override.objects.exists()


def test_the_calendars_hold_the_shifts(team):
    team_feed = signed_in("ann").get(f"/oncall/teams/{team.pk}/calendar.ics")
    assert team_feed["Content-Type"] == "text/calendar; charset=utf-8"
    text = team_feed.content.decode()
    assert (text[:17], text[-15:]) == ("BEGIN:VCALENDAR\r\n", "END:VCALENDAR\r\n")
    assert "SUMMARY:ann on call · network · primary" in text
    assert "SUMMARY:ben on call" in text
    mine = signed_in("ann").get("/oncall/me/calendar.ics").content.decode()
    assert mine.count("BEGIN:VEVENT") == text.count("SUMMARY:ann on call") > 0
    assert "ben" not in mine


def test_a_secret_calendar_address_is_shown_once_and_works_without_signing_in(team):
    page = signed_in("ann").post("/oncall/feeds/", {"team": team.pk})
    assert page["Cache-Control"] == "no-store"
    address = page.content.decode().split('id="new-feed">')[1].split("<")[0]
    assert address.startswith("http://localhost/oncall/calendar/")
    path = address.removeprefix("http://localhost")
    feed = Client(HTTP_HOST="localhost").get(path)
    assert (feed.status_code, "SUMMARY:ben on call" in feed.content.decode()) == (200, True)
    assert Client(HTTP_HOST="localhost").get(path.replace("calendar/", "calendar/x")).status_code == 404
    team.members.get(username="ann").delete()
    assert Client(HTTP_HOST="localhost").get(path).status_code == 404  # its owner is gone

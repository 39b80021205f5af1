"""Calendar feeds: a team's shifts, or one person's across their teams, a week back and eight ahead."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from oncall import calendar
from oncall.models import Schedule, Team
from oncall.schedules import loaded, shifts_of

DAYS_BEFORE, DAYS_AHEAD = 7, 56


def uid(schedule: Schedule, shift) -> str:
    """The same shift keeps its UID from one fetch to the next, so calendars update it in place."""
    return f"{schedule.pk}-{shift.start:%Y%m%dT%H%M%S}-{shift.user}@netmon"


def window(now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=DAYS_BEFORE), now + timedelta(days=DAYS_AHEAD)


def team_calendar(team: Team, now: datetime) -> str:
    start, end = window(now)
    schedules = list(loaded(Schedule.objects.filter(team=team)))
    found = [(schedule, shift) for schedule in schedules for shift in shifts_of(schedule, start, end)]
    names = get_user_model().objects.in_bulk({shift.user for _, shift in found})
    events = [
        (
            f"{schedule.pk}-{shift.start:%Y%m%dT%H%M%S}-{shift.user}@netmon",
            f"{names[shift.user]} on call · {schedule}",
            shift,
        )
        for schedule, shift in found
        if shift.user in names
    ]
    return calendar.calendar(f"{team} on call", events, now)


def person_calendar(user, now: datetime) -> str:
    start, end = window(now)
    schedules = loaded(Schedule.objects.filter(team__members=user).select_related("team").distinct())
    events = [
        (uid(schedule, shift), f"On call · {schedule}", shift)
        for schedule in schedules
        for shift in shifts_of(schedule, start, end)
        if shift.user == user.pk
    ]
    return calendar.calendar(f"{user.get_username()} on call", events, now)

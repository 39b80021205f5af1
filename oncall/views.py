"""Teams and who is on call (pages), overrides ("I take Saturday"), and calendar feeds."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.i18n.zones import zone
from oncall import feeds
from oncall.models import CalendarFeed, Override, Schedule, Team
from oncall.schedules import loaded, on_call_by_schedule, shifts_of

UPCOMING_DAYS = 14
OVERRIDE_PERMISSION = "oncall.add_override"
CALENDAR = "text/calendar; charset=utf-8"


@login_required
def teams(request):
    everyone = list(Team.objects.prefetch_related("members"))
    return render(
        request, "oncall/teams.html", {"teams": everyone, "on_call": on_call_by_schedule(everyone, timezone.now())}
    )


@login_required
def team(request, team_id: int):
    shown = get_object_or_404(Team.objects.prefetch_related("members"), pk=team_id)
    now = timezone.now()
    schedules = list(loaded(Schedule.objects.filter(team=shown)))
    members = {member.pk: member for member in shown.members.all()}
    upcoming = [
        (schedule, [(members.get(s.user), s) for s in shifts_of(schedule, now, now + timedelta(days=UPCOMING_DAYS))])
        for schedule in schedules
    ]
    context = {
        "team": shown,
        "on_call": on_call_by_schedule([shown], now),
        "upcoming": upcoming,
        "may_override": request.user.has_perm(OVERRIDE_PERMISSION) and request.user.pk in members,
    }
    return render(request, "oncall/team.html", context)


@require_POST
@login_required
def add_override(request, schedule_id: int):
    """The signed-in operator takes `schedule` from `start` to `end`, local times in its zone."""
    schedule = get_object_or_404(Schedule.objects.select_related("team"), pk=schedule_id)
    if not request.user.has_perm(OVERRIDE_PERMISSION) or not schedule.team.members.filter(pk=request.user.pk).exists():
        raise PermissionDenied(_("Only an operator of the team takes its on-call."))
    try:
        start, end = (local_time(request.POST.get(key, ""), schedule.time_zone) for key in ("start", "end"))
    except ValueError:
        start = end = None
    if start is None or end is None or end <= start:
        messages.error(request, _("Give a start and a later end."))
    else:
        Override.objects.create(schedule=schedule, user=request.user, start=start, end=end)
        messages.success(request, _("You are on call for %(schedule)s then.") % {"schedule": schedule.name})
    return redirect("oncall_team", team_id=schedule.team_id)


def local_time(text: str, zone_name: str) -> datetime:
    """An <input type="datetime-local"> value, read in the schedule's zone."""
    return datetime.fromisoformat(text).replace(tzinfo=zone(zone_name))


def calendar_response(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type=CALENDAR)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def team_calendar(request, team_id: int):
    return calendar_response(feeds.team_calendar(get_object_or_404(Team, pk=team_id), timezone.now()))


@login_required
def my_calendar(request):
    return calendar_response(feeds.person_calendar(request.user, timezone.now()))


@require_POST
@login_required
def new_feed(request):
    """A secret address for the signed-in user's own calendar, or for a team's (`team`), shown once."""
    chosen = get_object_or_404(Team, pk=request.POST["team"]) if request.POST.get("team") else None
    feed = CalendarFeed(owner=request.user, team=chosen)
    secret = feed.generate()
    feed.save()
    address = request.build_absolute_uri(f"/oncall/calendar/{secret}.ics")
    response = render(request, "oncall/feed_created.html", {"address": address, "team": chosen})
    response["Cache-Control"] = "no-store"  # a secret: never kept by a cache
    return response


def feed(request, secret: str):
    """A calendar at its secret address: no sign-in, as calendar applications ask."""
    found = CalendarFeed.objects.select_related("owner", "team").filter(digest=CalendarFeed.hash(secret)).first()
    if found is None or not found.owner.is_active:
        raise Http404("No such calendar.")
    now = timezone.now()
    if found.team is not None:
        return calendar_response(feeds.team_calendar(found.team, now))
    return calendar_response(feeds.person_calendar(found.owner, now))

"""Reading schedules from the database into the pure rotation arithmetic (oncall.rotation)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from oncall import rotation
from oncall.models import EscalationLevel, Override, Participant, Schedule, Team


def loaded(schedules):
    """`schedules` with what on_call needs, in three queries."""
    return schedules.prefetch_related(
        Prefetch("rotations__participants", queryset=Participant.objects.order_by("position", "id")),
        Prefetch("overrides", queryset=Override.objects.order_by("created_at", "id")),
    )


def rotations_of(schedule: Schedule) -> list[rotation.Rotation]:
    return [
        rotation.Rotation(
            participants=tuple(p.user_id for p in r.participants.all()),
            first_day=r.first_day,
            handoff=r.handoff,
            zone=schedule.time_zone,
            length_days=r.length_days,
            layer=r.layer,
        )
        for r in schedule.rotations.all()
    ]


def overrides_of(schedule: Schedule) -> list[rotation.Override]:
    return [rotation.Override(o.user_id, o.start, o.end) for o in schedule.overrides.all()]


def on_call_now(schedule: Schedule, at: datetime) -> int | None:
    return rotation.on_call(rotations_of(schedule), overrides_of(schedule), at)


def shifts_of(schedule: Schedule, start: datetime, end: datetime) -> list[rotation.Shift]:
    return rotation.shifts(rotations_of(schedule), overrides_of(schedule), start, end)


def on_call_by_schedule(teams, at: datetime) -> list[tuple[Schedule, object]]:
    """(schedule, the user on call or None) for every schedule of `teams`."""
    schedules = list(loaded(Schedule.objects.filter(team__in=teams).select_related("team")))
    users = get_user_model().objects.in_bulk({on_call_now(s, at) for s in schedules} - {None})
    return [(s, users.get(on_call_now(s, at))) for s in schedules]


def level_targets(level: EscalationLevel, at: datetime) -> list[int]:
    """The user ids one escalation level tells at `at`."""
    if level.person_id:
        return [level.person_id]
    if level.schedule_id:
        user = on_call_now(loaded(Schedule.objects.filter(pk=level.schedule_id)).get(), at)
        return [] if user is None else [user]
    return list(level.policy.team.members.filter(is_active=True).values_list("pk", flat=True))


def join_directory_teams(user, group_dns) -> None:
    """Make `user` a member of exactly the teams whose directory group they are in (others left alone)."""
    held = {dn.lower() for dn in group_dns}
    member_of = set(user.teams.values_list("pk", flat=True))
    for team in Team.objects.exclude(directory_group=""):
        if team.directory_group.lower() in held and team.pk not in member_of:
            team.members.add(user)
        elif team.directory_group.lower() not in held and team.pk in member_of:
            team.members.remove(user)

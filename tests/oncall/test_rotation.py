"""Rotations, layers and overrides as pure functions of time, across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oncall.rotation import Override, Rotation, handoffs_between, on_call, rotation_on_call, shifts

BERLIN = "Europe/Berlin"
NEW_YORK = ZoneInfo("America/New_York")
# 2026: Europe leaves summer time on 25 October (03:00 CEST -> 02:00 CET), enters it on 29 March.
DAILY = Rotation(participants=(1, 2, 3), first_day=date(2026, 10, 20), handoff=time(9, 0), zone=BERLIN, length_days=1)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(BERLIN))


def test_it_hands_off_at_the_handoff_time_in_its_zone():
    assert rotation_on_call(DAILY, berlin(2026, 10, 20, 8, 59)) is None  # before the first shift
    assert rotation_on_call(DAILY, berlin(2026, 10, 20, 9, 0)) == 1
    assert rotation_on_call(DAILY, berlin(2026, 10, 21, 8, 59, 59)) == 1
    assert rotation_on_call(DAILY, berlin(2026, 10, 21, 9, 0)) == 2
    assert rotation_on_call(DAILY, berlin(2026, 10, 23, 9, 0)) == 1  # round again


def test_the_handoff_stays_at_nine_local_across_the_autumn_change():
    # 24 Oct 09:00 CEST is 07:00 UTC; 25 Oct 09:00 CET is 08:00 UTC: that shift lasts 25 hours.
    assert rotation_on_call(DAILY, datetime(2026, 10, 25, 7, 30, tzinfo=UTC)) == 2  # 08:30 CET: still 24 Oct's
    assert rotation_on_call(DAILY, datetime(2026, 10, 25, 8, 0, tzinfo=UTC)) == 3  # 09:00 CET
    found = handoffs_between(DAILY, berlin(2026, 10, 24), berlin(2026, 10, 26))
    assert found == [datetime(2026, 10, 24, 7, tzinfo=UTC), datetime(2026, 10, 25, 8, tzinfo=UTC)]
    assert found[1] - found[0] == timedelta(hours=25)


def test_the_handoff_stays_at_nine_local_across_the_spring_change():
    weekly = Rotation(participants=(7, 8), first_day=date(2026, 3, 23), handoff=time(9), zone=BERLIN)
    assert handoffs_between(weekly, berlin(2026, 3, 23), berlin(2026, 4, 7)) == [
        datetime(2026, 3, 23, 8, tzinfo=UTC),  # CET
        datetime(2026, 3, 30, 7, tzinfo=UTC),  # CEST: a week of 167 hours
        datetime(2026, 4, 6, 7, tzinfo=UTC),
    ]
    assert rotation_on_call(weekly, datetime(2026, 3, 30, 7, 59, tzinfo=UTC)) == 8


def test_a_handoff_in_the_spring_gap_happens_when_the_clock_reaches_it():
    night = Rotation(participants=(1, 2), first_day=date(2026, 3, 28), handoff=time(2, 30), zone=BERLIN, length_days=1)
    assert rotation_on_call(night, datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == 1  # 01:59 CET
    assert rotation_on_call(night, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == 2  # 03:30 CEST


def test_the_highest_layer_with_someone_wins_and_an_override_beats_every_layer():
    weekend = Rotation(
        participants=(9,), first_day=date(2026, 10, 24), handoff=time(9), zone=BERLIN, length_days=1, layer=1
    )
    at = berlin(2026, 10, 22, 12)
    assert on_call([DAILY], [], at) == 3
    assert on_call([DAILY, weekend], [], at) == 3  # the weekend layer has not started
    assert on_call([DAILY, weekend], [], berlin(2026, 10, 24, 12)) == 9
    saturday = Override(user=4, start=berlin(2026, 10, 24), end=berlin(2026, 10, 25))
    assert on_call([DAILY, weekend], [saturday], berlin(2026, 10, 24, 12)) == 4
    assert on_call([DAILY, weekend], [saturday], berlin(2026, 10, 25, 12)) == 9


def test_shifts_merge_and_follow_overrides():
    saturday = Override(user=4, start=berlin(2026, 10, 24, 12), end=berlin(2026, 10, 24, 18))
    found = shifts([DAILY], [saturday], berlin(2026, 10, 24), berlin(2026, 10, 26))
    assert [(s.user, s.start.astimezone(ZoneInfo(BERLIN)).strftime("%d %H:%M")) for s in found] == [
        (1, "24 00:00"),
        (2, "24 09:00"),
        (4, "24 12:00"),
        (2, "24 18:00"),
        (3, "25 09:00"),
    ]
    assert found[-1].end == berlin(2026, 10, 26)


def test_it_works_in_any_zone():
    nightly = Rotation(
        participants=(5, 6), first_day=date(2026, 11, 1), handoff=time(18), zone="America/New_York", length_days=1
    )
    # 1 Nov 2026: New York leaves summer time at 02:00.
    assert rotation_on_call(nightly, datetime(2026, 11, 1, 18, tzinfo=NEW_YORK)) == 5
    assert rotation_on_call(nightly, datetime(2026, 11, 1, 23, 0, tzinfo=UTC)) == 5  # 18:00 EST
    assert rotation_on_call(nightly, datetime(2026, 11, 2, 23, 0, tzinfo=UTC)) == 6

"""The uptime arithmetic, as pure functions: slots, maintenance, unknown time, partial days, time zones."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from status import uptime
from status.uptime import Period, Tally

UTC_ZONE = ZoneInfo("UTC")


def ts(*args) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_it_counts_up_and_degraded_as_up_and_leaves_maintenance_out():
    tally = (
        uptime.slot("up", 60, False, 10.0)
        + uptime.slot("degraded", 60, False, 30.0)
        + uptime.slot("down", 60, False, None)
        + uptime.slot("down", 60, True, None)  # down during maintenance: not counted against it
    )
    assert tally == Tally(up=60, degraded=60, down=60, maintenance=60, latency_ms_sum=40.0, latency_count=2)
    assert tally.uptime_pct == pytest.approx(200 / 3)
    assert tally.latency_ms == 20.0


def test_it_refuses_a_state_that_is_not_a_result():
    with pytest.raises(ValueError, match="not 'pending'"):
        uptime.slot("pending", 60, False, None)


def test_it_has_no_uptime_without_a_known_slot():
    assert Tally().uptime_pct is None
    assert Tally(maintenance=3600).uptime_pct is None
    assert uptime.level(Period(Tally(maintenance=3600), 3600)) == "maintenance"
    assert uptime.level(Period(Tally(), 3600)) == "unknown"


def test_missing_slots_are_unknown_not_up():
    # One hour watched, 45 minutes of results: 15 minutes unknown, uptime over what is known.
    hours = {int(ts(2026, 11, 24, 10)): Tally(up=30 * 60, down=15 * 60)}
    period = uptime.period(hours, ts(2026, 11, 24, 10), ts(2026, 11, 24, 11), since=ts(2026, 11, 1))
    assert period.unknown_s == 15 * 60
    assert period.unknown_pct == 25.0
    assert period.uptime_pct == pytest.approx(100 * 30 / 45)


def test_time_before_the_first_result_is_not_watched():
    first = ts(2026, 11, 24, 10, 30)
    period = uptime.period({}, ts(2026, 11, 24, 0), ts(2026, 11, 24, 12), since=first)
    assert period.watched_s == 90 * 60
    assert uptime.period({}, ts(2026, 11, 24, 0), ts(2026, 11, 24, 12), since=None).watched_s == 0


def test_today_is_a_partial_day_up_to_now():
    now = ts(2026, 11, 24, 6)
    hours = {int(ts(2026, 11, 24, h)): Tally(up=3600) for h in range(6)}
    days = uptime.daily(hours, since=ts(2026, 11, 1), now=now, days=3, zone=UTC_ZONE)
    assert [p.watched_s for p in days] == [86400, 86400, 6 * 3600]
    assert days[-1].uptime_pct == 100.0
    assert days[-1].unknown_s == 0
    assert days[0].unknown_pct == 100.0
    assert days[0].uptime_pct is None


def test_days_follow_the_time_zone():
    # 23:00 UTC on the 23rd is 07:00 on the 24th in Shanghai: the same hour lands on another day.
    hours = {int(ts(2026, 11, 23, 23)): Tally(down=3600)}
    now = ts(2026, 11, 24, 12)
    in_utc = uptime.daily(hours, ts(2026, 11, 1), now, 2, UTC_ZONE)
    in_shanghai = uptime.daily(hours, ts(2026, 11, 1), now, 2, ZoneInfo("Asia/Shanghai"))
    assert [p.tally.down for p in in_utc] == [3600, 0]
    assert [p.tally.down for p in in_shanghai] == [0, 3600]


def test_a_day_with_a_dst_change_lasts_25_hours():
    berlin = ZoneInfo("Europe/Berlin")
    spans = uptime.local_spans(date(2026, 10, 25), date(2026, 10, 26), "day", berlin)
    (_, start, stop) = spans[0]
    assert stop - start == 25 * 3600


def test_weeks_start_on_monday_and_months_on_the_first():
    weeks = uptime.local_spans(date(2026, 11, 26), date(2026, 12, 3), "week", UTC_ZONE)
    assert [day for day, _, _ in weeks] == [date(2026, 11, 23), date(2026, 11, 30)]
    months = uptime.local_spans(date(2026, 11, 15), date(2027, 1, 2), "month", UTC_ZONE)
    assert [day for day, _, _ in months] == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert months[1][2] - months[1][1] == 31 * 86400


def test_a_host_adds_up_its_checks():
    now = ts(2026, 11, 24, 12)
    ping = uptime.daily({int(ts(2026, 11, 24, 1)): Tally(up=3600)}, ts(2026, 11, 24), now, 1, UTC_ZONE)
    http = uptime.daily({int(ts(2026, 11, 24, 1)): Tally(down=3600)}, ts(2026, 11, 24), now, 1, UTC_ZONE)
    (host,) = uptime.combine([ping, http])
    assert host.uptime_pct == 50.0
    assert host.watched_s == 2 * 12 * 3600


def test_bar_levels():
    assert uptime.level(Period(Tally(up=99_999, down=1), 100_000)) == "up"
    assert uptime.level(Period(Tally(up=97, down=3), 100)) == "partial"
    assert uptime.level(Period(Tally(up=90, down=10), 100)) == "down"


seconds = st.floats(min_value=0, max_value=86_400, allow_nan=False)


@given(st.lists(st.tuples(st.integers(0, 95 * 24), seconds, seconds, seconds), max_size=60))
def test_days_add_up_to_the_whole_period(hour_tallies):
    """However the hours fall, the days of a span hold every hour of it exactly once."""
    now = ts(2026, 11, 24, 12)
    start_of_days = ts(2026, 8, 27)  # 90 local days back from the 24th, in UTC
    hours = {}
    for offset, up, degraded, down in hour_tallies:
        hour = int(start_of_days) + offset * 3600
        if hour < now:
            hours[hour] = Tally(up=up, degraded=degraded, down=down)
    days = uptime.daily(hours, start_of_days, now, 90, UTC_ZONE)
    whole = uptime.period(hours, start_of_days, now, start_of_days)
    summed = uptime.total(days)
    assert summed.tally.known == pytest.approx(whole.tally.known)
    assert summed.watched_s == pytest.approx(whole.watched_s)

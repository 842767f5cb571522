"""Cron expressions in a time zone: fire times in UTC, daylight-saving days, clear errors for bad input."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.schedules.cron import CronSchedule, InvalidSchedule

TORONTO = "America/Toronto"
SPRING_FORWARD_EVE = datetime(2025, 3, 8, 12, 0, tzinfo=UTC)
"""Noon UTC the day before Toronto skips 02:00-03:00 (Sunday 9 March 2025, EST -> EDT)."""
FALL_BACK_EVE = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
"""Noon UTC the day before Toronto repeats 01:00-02:00 (Sunday 2 November 2025, EDT -> EST)."""


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in 2025, in UTC."""
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


def fires(cron: str, after: datetime, count: int = 3, zone: str = TORONTO) -> list[datetime]:
    """The first `count` fire times of `cron` in `zone` after `after`."""
    return CronSchedule.parse(cron, zone).upcoming(after, count)


def test_a_daily_job_in_the_skipped_hour_runs_when_the_clock_jumps_on_spring_forward_day() -> None:
    assert fires("30 2 * * *", SPRING_FORWARD_EVE) == [
        utc(3, 9, 7, 0),  # 02:30 does not exist: it runs at 03:00 EDT, when the clock jumps
        utc(3, 10, 6, 30),  # 02:30 EDT
        utc(3, 11, 6, 30),
    ]


def test_a_daily_job_outside_the_change_keeps_its_wall_clock_time_on_spring_forward_day() -> None:
    assert fires("0 4 * * *", SPRING_FORWARD_EVE, count=2, zone=TORONTO) == [
        utc(3, 9, 8),  # 04:00 EDT, an hour earlier in UTC than the day before
        utc(3, 10, 8),
    ]
    assert fires("0 4 * * *", SPRING_FORWARD_EVE - timedelta(days=1), count=1) == [utc(3, 8, 9)]  # EST


def test_daily_jobs_keep_their_wall_clock_time_on_fall_back_day() -> None:
    assert fires("30 2 * * *", FALL_BACK_EVE) == [utc(11, 2, 7, 30), utc(11, 3, 7, 30), utc(11, 4, 7, 30)]
    assert fires("0 4 * * *", FALL_BACK_EVE, count=2) == [utc(11, 2, 9), utc(11, 3, 9)]
    assert fires("30 2 * * *", FALL_BACK_EVE - timedelta(days=1), count=1) == [utc(11, 1, 6, 30)]  # EDT


def test_a_fixed_time_job_in_the_repeated_hour_runs_once_on_fall_back_day() -> None:
    assert fires("30 1 * * *", FALL_BACK_EVE) == [
        utc(11, 2, 5, 30),  # the first 01:30 (EDT); not again at the second (06:30 UTC)
        utc(11, 3, 6, 30),
        utc(11, 4, 6, 30),
    ]


def test_from_inside_the_repeated_hour_the_next_fire_is_never_in_the_past() -> None:
    schedule = CronSchedule.parse("30 1 * * *", TORONTO)

    # 01:15 EST, the second pass: 01:30 (EDT) already ran an hour ago
    assert schedule.next_after(utc(11, 2, 6, 15)) == utc(11, 3, 6, 30)


def test_a_job_every_half_hour_keeps_its_rhythm_through_both_copies_of_the_repeated_hour() -> None:
    assert fires("*/30 * * * *", utc(11, 2, 4, 45), count=5) == [
        utc(11, 2, 5, 0),  # 01:00 EDT
        utc(11, 2, 5, 30),  # 01:30 EDT
        utc(11, 2, 6, 0),  # 01:00 EST
        utc(11, 2, 6, 30),  # 01:30 EST
        utc(11, 2, 7, 0),  # 02:00 EST
    ]


def test_fire_times_are_utc_strictly_after_the_moment_asked_about() -> None:
    at_four = utc(6, 1, 8)  # 04:00 EDT, itself a fire time

    upcoming = fires("0 4 * * *", at_four, count=2)

    assert upcoming == [utc(6, 2, 8), utc(6, 3, 8)]
    assert all(fire.tzinfo is UTC for fire in upcoming)


def test_whitespace_is_normalised_and_the_expression_is_described_in_words() -> None:
    schedule = CronSchedule.parse("  0   4 * * *\t", TORONTO)

    assert schedule.expression == "0 4 * * *"
    assert schedule.description == "At 04:00 every day"
    assert CronSchedule.parse("30 2 * * 1-5", "UTC").description == "At 02:30 on Monday through Friday"


@pytest.mark.parametrize(
    ("cron", "reason"),
    [
        ("0 4 * *", "it needs five fields (minute hour day-of-month month day-of-week)"),
        ("0 4 * * * *", "it needs five fields"),
        ("", "it needs five fields"),
        ("@daily", "it needs five fields"),
        ("61 * * * *", "bad minute"),
        ("0 24 * * *", "bad hour"),
        ("0 4 30 2 *", "bad day-of-month"),
        ("0 4 * 13 *", "bad month"),
        ("0 4 * * 8", "bad day-of-week"),
        ("*/0 * * * *", "bad minute"),
    ],
)
def test_an_invalid_cron_expression_is_refused_with_the_reason(cron: str, reason: str) -> None:
    with pytest.raises(InvalidSchedule, match=re.escape(f"invalid cron expression {cron!r}: {reason}")):
        CronSchedule.parse(cron, TORONTO)


def test_a_very_long_expression_is_refused() -> None:
    with pytest.raises(InvalidSchedule, match="at most 120 characters"):
        CronSchedule.parse("0 4 * * " + ",".join(["1"] * 100), TORONTO)


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "america/toronto", "EST5", "localtime", "../etc/passwd", ""]
)
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(InvalidSchedule, match=re.escape(f"unknown time zone {zone!r}: use an IANA name")):
        CronSchedule.parse("0 4 * * *", zone)


def test_iana_zones_including_utc_and_fixed_offsets_are_accepted() -> None:
    for zone in ("UTC", "Etc/GMT+5", "Europe/Paris", "Asia/Kolkata", TORONTO):
        assert CronSchedule.parse("0 4 * * *", zone).timezone == zone

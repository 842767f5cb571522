"""The missed-fire policy: wait, fire once for every missed fire within the grace period, or skip."""

from datetime import UTC, datetime, timedelta

import pytest

from app.schedules.cron import CronSchedule
from app.schedules.policy import Action, FirePlan, plan_fire

DAY = timedelta(days=1)
GRACE = timedelta(hours=24)
DAILY_4AM = CronSchedule.parse("0 4 * * *", "America/Toronto")
FOUR_AM = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
"""04:00 in Toronto (EDT) on 10 June 2025, a fire time of DAILY_4AM."""


def test_before_the_next_fire_time_it_waits() -> None:
    plan = plan_fire(DAILY_4AM, FOUR_AM, FOUR_AM - timedelta(seconds=1), GRACE)

    assert plan == FirePlan(Action.WAIT, None, FOUR_AM)


@pytest.mark.parametrize("late", [timedelta(0), timedelta(seconds=4), timedelta(hours=3)])
def test_a_due_fire_runs_once_and_the_next_fire_is_the_following_day(late: timedelta) -> None:
    plan = plan_fire(DAILY_4AM, FOUR_AM, FOUR_AM + late, GRACE)

    assert plan == FirePlan(Action.FIRE, FOUR_AM, FOUR_AM + DAY)


def test_fires_missed_while_down_coalesce_into_one_run_for_the_latest() -> None:
    back_at = FOUR_AM + 3 * DAY + timedelta(hours=2)  # down over four 04:00s

    plan = plan_fire(DAILY_4AM, FOUR_AM, back_at, GRACE)

    assert plan == FirePlan(Action.FIRE, FOUR_AM + 3 * DAY, FOUR_AM + 4 * DAY)


def test_a_missed_fire_older_than_the_grace_period_is_skipped_and_the_next_one_awaited() -> None:
    weekly = CronSchedule.parse("0 4 * * TUE", "America/Toronto")  # 10 June 2025 is a Tuesday
    back_at = FOUR_AM + 2 * DAY

    plan = plan_fire(weekly, FOUR_AM, back_at, GRACE)

    assert plan == FirePlan(Action.SKIP, None, FOUR_AM + 7 * DAY)


def test_the_grace_period_counts_from_the_latest_missed_fire_and_includes_its_edge() -> None:
    at_edge = plan_fire(DAILY_4AM, FOUR_AM, FOUR_AM + GRACE, timedelta(hours=24))
    just_past = plan_fire(DAILY_4AM, FOUR_AM, FOUR_AM + timedelta(hours=3), timedelta(hours=2, minutes=59))

    assert at_edge == FirePlan(Action.FIRE, FOUR_AM + DAY, FOUR_AM + 2 * DAY)  # the latest is now
    assert just_past == FirePlan(Action.SKIP, None, FOUR_AM + DAY)


def test_a_long_outage_on_a_minutely_schedule_fires_once_for_the_latest_minute_without_walking_months() -> (
    None
):
    minutely = CronSchedule.parse("* * * * *", "UTC")
    back_at = FOUR_AM + 90 * DAY + timedelta(seconds=3)

    plan = plan_fire(minutely, FOUR_AM, back_at, GRACE)

    assert plan == FirePlan(Action.FIRE, FOUR_AM + 90 * DAY, FOUR_AM + 90 * DAY + timedelta(minutes=1))


def test_the_next_fire_is_always_after_now_whatever_the_outage() -> None:
    hourly = CronSchedule.parse("15 * * * *", "Europe/Paris")
    due = datetime(2025, 3, 29, 23, 15, tzinfo=UTC)  # the night Paris skips 02:00-03:00
    for minutes in range(0, 60 * 30, 7):
        now = due + timedelta(minutes=minutes)

        plan = plan_fire(hourly, due, now, timedelta(hours=1))

        assert plan.next_fire_at is not None and plan.next_fire_at > now
        assert plan.action is Action.FIRE  # every hour fires, so the latest is always within an hour
        assert plan.fire_at is not None and now - timedelta(hours=1) <= plan.fire_at <= now


def test_on_spring_forward_night_a_schedule_in_the_skipped_hour_fires_once_at_the_jump() -> None:
    schedule = CronSchedule.parse("30 2 * * *", "America/Toronto")
    jump = datetime(2025, 3, 9, 7, 0, tzinfo=UTC)  # 03:00 EDT, when 02:30 would have been

    waiting = plan_fire(schedule, jump, jump - timedelta(minutes=30), GRACE)
    fired = plan_fire(schedule, jump, jump + timedelta(seconds=2), GRACE)

    assert waiting.action is Action.WAIT
    assert fired == FirePlan(Action.FIRE, jump, datetime(2025, 3, 10, 6, 30, tzinfo=UTC))


def test_on_fall_back_night_a_schedule_in_the_repeated_hour_does_not_fire_again_an_hour_later() -> None:
    schedule = CronSchedule.parse("30 1 * * *", "America/Toronto")
    first = datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = first + timedelta(hours=1)  # 01:30 EST

    fired = plan_fire(schedule, first, first + timedelta(seconds=3), GRACE)
    assert fired.next_fire_at is not None
    an_hour_later = plan_fire(schedule, fired.next_fire_at, second + timedelta(seconds=3), GRACE)

    assert fired == FirePlan(Action.FIRE, first, datetime(2025, 11, 3, 6, 30, tzinfo=UTC))
    assert an_hour_later.action is Action.WAIT


def test_a_worker_back_during_the_repeated_hour_fires_the_missed_fire_once_and_waits_for_tomorrow() -> None:
    schedule = CronSchedule.parse("30 1 * * *", "America/Toronto")
    missed = datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT, while down

    plan = plan_fire(schedule, missed, datetime(2025, 11, 2, 6, 15, tzinfo=UTC), GRACE)  # 01:15 EST

    assert plan == FirePlan(Action.FIRE, missed, datetime(2025, 11, 3, 6, 30, tzinfo=UTC))

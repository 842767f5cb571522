"""Live-ingestion runs: one per source and UTC day, with an id every process derives alike."""

from datetime import UTC, date, datetime, timedelta, timezone

from app.runs.live import day_is_over, live_run_id, utc_day


def test_the_live_run_id_depends_only_on_the_source_and_the_day() -> None:
    day = date(2024, 11, 25)

    assert live_run_id("api", day) == live_run_id("api", date(2024, 11, 25))
    assert live_run_id("api", day) != live_run_id("erp", day)
    assert live_run_id("api", day) != live_run_id("api", day + timedelta(days=1))


def test_the_day_is_the_utc_day_whatever_the_clock_zone() -> None:
    late_in_new_york = datetime(2024, 11, 25, 22, 30, tzinfo=timezone(timedelta(hours=-5)))

    assert utc_day(late_in_new_york) == date(2024, 11, 26)


def test_a_live_run_day_is_over_from_the_next_utc_midnight() -> None:
    day = date(2024, 11, 25)

    assert not day_is_over(day, datetime(2024, 11, 25, 23, 59, 59, tzinfo=UTC))
    assert day_is_over(day, datetime(2024, 11, 26, 0, 0, tzinfo=UTC))
    assert not day_is_over(None, datetime(2099, 1, 1, tzinfo=UTC))

"""Overview time buckets: UTC hours and days, bounded windows."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.stats import MAX_BUCKETS, bucket_starts, floor, parse_bucket_key, window_start
from schemas.stats import Bucket

NOW = datetime(2024, 6, 3, 12, 30, tzinfo=UTC)


def test_a_moment_falls_in_its_utc_hour_and_day() -> None:
    paris = timezone(timedelta(hours=2))
    moment = datetime(2024, 6, 3, 1, 45, tzinfo=paris)  # 23:45 UTC the day before

    assert floor(moment, Bucket.HOUR) == datetime(2024, 6, 2, 23, tzinfo=UTC)
    assert floor(moment, Bucket.DAY) == datetime(2024, 6, 2, tzinfo=UTC)


def test_buckets_cover_the_window_including_the_current_one() -> None:
    starts = list(bucket_starts(datetime(2024, 6, 3, 10, 20, tzinfo=UTC), NOW, Bucket.HOUR))

    assert [start.hour for start in starts] == [10, 11, 12]


def test_the_default_window_is_a_day_of_hours_or_a_month_of_days() -> None:
    assert window_start(None, NOW, Bucket.HOUR) == datetime(2024, 6, 2, 12, tzinfo=UTC)
    assert window_start(None, NOW, Bucket.DAY) == datetime(2024, 5, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "message"),
    [
        (datetime(2024, 6, 3), "time zone"),
        (NOW + timedelta(seconds=1), "in the past"),
        (NOW - timedelta(hours=MAX_BUCKETS + 1), "more than"),
    ],
)
def test_a_bad_window_is_refused_with_a_reason(since: datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        window_start(since, NOW, Bucket.HOUR)


def test_bucket_keys_from_either_database_become_utc_datetimes() -> None:
    assert parse_bucket_key("2024-06-03 10:00:00") == datetime(2024, 6, 3, 10, tzinfo=UTC)
    assert parse_bucket_key(datetime(2024, 6, 3, 10)) == datetime(2024, 6, 3, 10, tzinfo=UTC)

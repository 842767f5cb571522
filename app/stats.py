"""Time buckets for the overview statistics: pure functions over UTC datetimes."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from schemas.stats import Bucket

MAX_BUCKETS = 1000
"""More bars than this would not fit a chart; a window that needs them is refused."""
DEFAULT_WINDOW = {Bucket.HOUR: timedelta(hours=24), Bucket.DAY: timedelta(days=30)}
_STEP = {Bucket.HOUR: timedelta(hours=1), Bucket.DAY: timedelta(days=1)}


def floor(moment: datetime, bucket: Bucket) -> datetime:
    """The start (UTC) of the bucket holding `moment`."""
    moment = moment.astimezone(UTC)
    if bucket is Bucket.DAY:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(minute=0, second=0, microsecond=0)


def bucket_starts(since: datetime, until: datetime, bucket: Bucket) -> Iterator[datetime]:
    """The start of every bucket from the one holding `since` to the one holding `until`."""
    start, step = floor(since, bucket), _STEP[bucket]
    while start <= until:
        yield start
        start += step


def window_start(since: datetime | None, now: datetime, bucket: Bucket) -> datetime:
    """The checked start of a window ending now: `since` (default: a day of hours, a month of days)."""
    if since is None:
        since = now - DEFAULT_WINDOW[bucket]
    if since.tzinfo is None:
        raise ValueError("since needs a time zone, e.g. 2024-12-01T00:00:00Z")
    if since >= now:
        raise ValueError("since must be in the past")
    if (now - since) / _STEP[bucket] > MAX_BUCKETS:
        raise ValueError(
            f"the window is more than {MAX_BUCKETS} {bucket.value}s; choose a later since or day buckets"
        )
    return floor(since, bucket)


def parse_bucket_key(value: object) -> datetime:
    """A bucket key as the database grouped it (SQLite text, PostgreSQL timestamp) -> aware UTC datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value)
    else:
        raise TypeError(f"unexpected bucket key {value!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

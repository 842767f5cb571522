"""Live-ingestion runs: uploads and upstream events without a run join a standing run per source and UTC day.

The run id is derived (uuid5) from the source and the day, so every process agrees on it without
asking anyone. A live run is `running` while its day lasts; once the day is over and every one of
its documents is accounted for, it is `completed` (with `success` false if any failed).
"""

import uuid
from datetime import UTC, date, datetime

_NAMESPACE = uuid.UUID("b0a4d7e2-5f0e-4c55-9a3e-7b1f2c7d9e61")


def live_run_id(source: str, day: date) -> uuid.UUID:
    """The id of the live-ingestion run of `source` on `day` (UTC)."""
    return uuid.uuid5(_NAMESPACE, f"live:{source}:{day.isoformat()}")


def utc_day(at: datetime) -> date:
    """The UTC calendar day of a timezone-aware moment."""
    return at.astimezone(UTC).date()


def day_is_over(day: date | None, now: datetime) -> bool:
    """Whether a live run's day has ended (a run without a day never ends by itself)."""
    return day is not None and utc_day(now) > day

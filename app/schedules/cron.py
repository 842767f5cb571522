"""A cron expression in an IANA time zone: validated once, then asked for its fire times (in UTC).

Parsing and iteration are cronsim's, which follows Debian cron across DST changes: a job whose time
falls in the hour skipped in spring runs when the clock jumps (02:30 becomes 03:00), and a job at a
fixed time in the hour repeated in autumn runs once, at the first 01:30. Jobs whose minute or hour is
a wildcard (`*/15 * * * *`) keep their rhythm in real time and run in both copies of the repeated hour.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from zoneinfo import ZoneInfo, available_timezones

from cronsim import CronSim, CronSimError

from app.errors import InvalidRequestError

FIELDS = "minute hour day-of-month month day-of-week"
MAX_EXPRESSION_LENGTH = 120


class InvalidSchedule(InvalidRequestError):
    """A cron expression or time zone that cannot make a schedule; the message says why."""


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """When a task fires: five cron fields read as wall-clock time in `timezone`."""

    expression: str
    timezone: str
    zone: ZoneInfo

    @classmethod
    def parse(cls, expression: str, timezone: str) -> "CronSchedule":
        """The schedule, or InvalidSchedule naming what is wrong (a field, the zone, no future fire)."""
        zone = _zone(timezone)
        normalized = " ".join(expression.split())
        if len(normalized) > MAX_EXPRESSION_LENGTH:
            raise InvalidSchedule(f"a cron expression is at most {MAX_EXPRESSION_LENGTH} characters")
        if len(normalized.split(" ")) != 5:
            raise InvalidSchedule(
                f"invalid cron expression {expression!r}: it needs five fields ({FIELDS}), e.g. '0 4 * * *'"
            )
        try:
            CronSim(normalized, datetime.now(zone))
        except CronSimError as exc:
            raise InvalidSchedule(f"invalid cron expression {expression!r}: {str(exc).lower()}") from None
        schedule = cls(normalized, timezone, zone)
        if schedule.next_after(datetime.now(UTC)) is None:
            raise InvalidSchedule(f"cron expression {expression!r} never fires")
        return schedule

    @property
    def description(self) -> str:
        """The expression in words, e.g. "At 04:00 every day" (in the schedule's time zone)."""
        return CronSim(self.expression, datetime.now(self.zone)).explain()

    def fires_after(self, moment: datetime) -> Iterator[datetime]:
        """Every fire time strictly after `moment` (timezone-aware), in order, as UTC datetimes."""
        latest = moment.astimezone(UTC)
        # cronsim ends the iteration when nothing matches for 50 years.
        for local in CronSim(self.expression, moment.astimezone(self.zone)):
            fire = local.astimezone(UTC)
            # cronsim reads a fixed-time job on wall-clock time; from inside a repeated hour it can
            # answer the first copy of a time already past. Only later moments are fires.
            if fire > latest:
                latest = fire
                yield fire

    def next_after(self, moment: datetime) -> datetime | None:
        """The first fire time strictly after `moment`, or None if there is none (in 50 years)."""
        return next(self.fires_after(moment), None)

    def upcoming(self, moment: datetime, count: int) -> list[datetime]:
        """The next `count` fire times after `moment`."""
        return list(islice(self.fires_after(moment), count))


def _zone(name: str) -> ZoneInfo:
    if name not in _iana_zones():
        raise InvalidSchedule(f"unknown time zone {name!r}: use an IANA name such as 'America/Toronto'")
    return ZoneInfo(name)


@cache
def _iana_zones() -> frozenset[str]:
    # The zones on this host (or in the tzdata package). "localtime" is among them on many hosts but
    # names the host's own zone, which differs between the machines that share one schedule.
    return frozenset(available_timezones() - {"localtime"})

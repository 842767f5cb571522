"""What a scheduler does now about one schedule: wait, fire once, or skip fires missed too long ago.

Missed-fire policy: a process that was down over one or more fire times runs the task ONCE when it is
back (every missed fire coalesces into one run, standing for the latest of them), unless even the
latest missed fire is older than the grace period; then nothing runs and the skip is logged. Either
way the next fire moves to the first fire time after now, so no fire time is ever run twice.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.schedules.cron import CronSchedule

_JUST_BEFORE = timedelta(microseconds=1)


class Action(StrEnum):
    """What to do about a schedule now."""

    WAIT = "wait"
    """Its next fire time has not come."""
    FIRE = "fire"
    """Start one run, standing for `FirePlan.fire_at`."""
    SKIP = "skip"
    """Every fire time that passed is older than the grace period: start nothing, log it."""


@dataclass(frozen=True, slots=True)
class FirePlan:
    """The decision about one schedule at one moment."""

    action: Action
    fire_at: datetime | None
    """FIRE: the latest fire time that has passed (the one the run stands for); otherwise None."""
    next_fire_at: datetime | None
    """The schedule's next fire time once this is done (None: it never fires again)."""


def plan_fire(schedule: CronSchedule, next_fire_at: datetime, now: datetime, grace: timedelta) -> FirePlan:
    """Decide, at `now`, about a schedule whose stored next fire time is `next_fire_at`."""
    if next_fire_at > now:
        return FirePlan(Action.WAIT, None, next_fire_at)
    oldest_runnable = now - grace
    latest = next_fire_at
    upcoming = None
    # Walk the fire times after the stored one up to now, from the edge of the grace period at the
    # earliest: a worker down for months on a minutely schedule walks one grace period, not months.
    for fire in schedule.fires_after(max(next_fire_at, oldest_runnable - _JUST_BEFORE)):
        if fire > now:
            upcoming = fire
            break
        latest = fire
    if latest < oldest_runnable:
        return FirePlan(Action.SKIP, None, upcoming)
    return FirePlan(Action.FIRE, latest, upcoming)

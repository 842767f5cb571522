"""Throughput and ETA: an exponentially smoothed rate over recent progress, not the run's average.

Smoothing is time-aware (alpha = 1 - exp(-dt / tau)), so a burst of events in one second weighs as
much as one event in that second, and the rate follows a change of pace within about `tau` seconds.
"""

import math
from dataclasses import dataclass
from datetime import datetime

TIME_CONSTANT_SECONDS = 30.0
"""How far back the rate looks: older throughput fades with this time constant."""
MIN_SAMPLE_SECONDS = 1.0
"""Progress closer together than this is folded into the next sample (no division by ~0)."""


@dataclass(frozen=True, slots=True)
class RateSample:
    """The smoothed rate, and the processed count and time it was last sampled at."""

    per_second: float | None
    sampled_at: datetime
    sampled_count: int


def update_rate(previous: RateSample, processed: int, now: datetime) -> RateSample:
    """Fold the throughput since the previous sample into the smoothed rate."""
    elapsed = (now - previous.sampled_at).total_seconds()
    if elapsed < MIN_SAMPLE_SECONDS or processed < previous.sampled_count:
        return previous
    if previous.per_second is None and processed == previous.sampled_count:
        return previous  # nothing processed yet: no estimate, rather than one biased towards zero
    recent = (processed - previous.sampled_count) / elapsed
    if previous.per_second is None:
        return RateSample(recent, now, processed)
    alpha = 1.0 - math.exp(-elapsed / TIME_CONSTANT_SECONDS)
    return RateSample(previous.per_second + alpha * (recent - previous.per_second), now, processed)


def eta_seconds(pending: int, per_second: float | None) -> float | None:
    """Seconds until `pending` documents are processed at the smoothed rate; None if unknown."""
    if pending == 0:
        return 0.0
    if per_second is None or per_second <= 0:
        return None
    return pending / per_second

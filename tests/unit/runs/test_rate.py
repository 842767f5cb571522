"""The rate behind the ETA: smoothed over recent throughput, not the run's lifetime average."""

from datetime import UTC, datetime, timedelta

import pytest

from app.runs.rate import RateSample, eta_seconds, update_rate

START = datetime(2024, 11, 25, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """`seconds` after the run started."""
    return START + timedelta(seconds=seconds)


def test_the_first_sample_is_the_throughput_since_the_start() -> None:
    sample = update_rate(RateSample(None, START, 0), processed=10, now=at(5))

    assert sample.per_second == pytest.approx(2.0)
    assert (sample.sampled_at, sample.sampled_count) == (at(5), 10)


def test_there_is_no_estimate_until_a_document_is_processed() -> None:
    start = RateSample(None, START, 0)

    assert update_rate(start, processed=0, now=at(3)) is start
    assert update_rate(start, processed=1, now=at(4)).per_second == pytest.approx(0.25)


def test_progress_within_a_second_of_the_last_sample_waits_for_the_next_one() -> None:
    previous = RateSample(2.0, at(5), 10)

    assert update_rate(previous, processed=12, now=at(5.5)) is previous


def test_a_change_of_pace_moves_the_rate_gradually_towards_the_new_pace() -> None:
    fast = RateSample(10.0, at(10), 100)

    slowed = update_rate(fast, processed=101, now=at(20))  # 0.1/s for the last 10 s

    assert 0.1 < slowed.per_second < 10.0  # type: ignore[operator]
    later = update_rate(slowed, processed=119, now=at(200))  # still 0.1/s, three minutes on
    assert later.per_second < slowed.per_second  # type: ignore[operator]
    assert later.per_second == pytest.approx(0.1, abs=0.05)  # six time constants: the old pace is gone


def test_a_burst_in_one_second_weighs_as_much_as_that_second() -> None:
    steady = RateSample(1.0, at(10), 10)

    after_burst = update_rate(steady, processed=40, now=at(11))  # 30 documents in one second

    assert after_burst.per_second == pytest.approx(
        1.0 + (30.0 - 1.0) * (1 - 2.718281828 ** (-1 / 30)), rel=1e-3
    )
    assert after_burst.per_second < 3  # type: ignore[operator]


@pytest.mark.parametrize(
    ("pending", "per_second", "expected"),
    [(0, None, 0.0), (10, None, None), (10, 0.0, None), (10, 0.5, 20.0), (3, 2.0, 1.5)],
)
def test_eta_is_pending_over_rate_and_unknown_without_a_rate(
    pending: int, per_second: float | None, expected: float | None
) -> None:
    assert eta_seconds(pending, per_second) == expected

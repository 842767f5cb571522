"""The sentence shown for a run, e.g. "Executing PDF extraction pipeline — 7/10 files processed, ..."."""

import pytest

from app.runs.phrases import humanize_duration, summarize
from schemas.runs import RunCounts, RunStatus

PHRASE = "Executing PDF extraction pipeline"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "less than a minute"),
        (59, "less than a minute"),
        (60, "1 minute"),
        (125, "2 minutes"),
        (7200, "2 hours"),
    ],
)
def test_durations_read_like_a_person_would_say_them(seconds: float, text: str) -> None:
    assert humanize_duration(seconds) == text


def test_a_running_run_says_how_far_it_is_and_how_long_is_left() -> None:
    counts = RunCounts(total=10, done=6, failed=1, skipped=0)

    assert summarize(PHRASE, RunStatus.RUNNING, counts, 130.0) == (
        "Executing PDF extraction pipeline — 7/10 files processed, 2 minutes remaining"
    )
    assert summarize(PHRASE, RunStatus.RUNNING, counts, None).endswith("estimating time remaining")


def test_a_running_run_with_nothing_pending_just_says_how_far_it_is() -> None:
    counts = RunCounts(total=3, done=3, failed=0, skipped=0)

    assert summarize(PHRASE, RunStatus.RUNNING, counts, 0.0) == f"{PHRASE} — 3/3 files processed"


def test_final_runs_say_how_they_ended() -> None:
    counts = RunCounts(total=10, done=7, failed=1, skipped=2)

    assert summarize(PHRASE, RunStatus.COMPLETED, counts, 0).endswith(
        "completed, 10/10 files processed, 1 failed"
    )
    assert summarize(PHRASE, RunStatus.CANCELLED, counts, None).endswith(
        "cancelled, 7 done, 2 skipped, 1 failed"
    )
    assert summarize("Fetching new data", RunStatus.FAILED, counts, None, "No sources configured.") == (
        "Fetching new data — failed: No sources configured."
    )

"""Run state transitions: documents never leave a final state; runs complete when all are accounted for."""

import pytest

from app.errors import ConflictError
from app.runs.selection import failed_in, selection_of
from app.runs.state import check_cancellable, document_status_after, run_status_after, success_of
from schemas.progress import Outcome
from schemas.runs import RunCounts
from schemas.runs import RunDocumentStatus as Doc
from schemas.runs import RunStatus as Run


def counts(total: int, done: int = 0, failed: int = 0, skipped: int = 0) -> RunCounts:
    """Counts of a run."""
    return RunCounts(total=total, done=done, failed=failed, skipped=skipped)


@pytest.mark.parametrize(
    ("current", "outcome", "stage", "expected"),
    [
        (Doc.QUEUED, Outcome.DONE, "clean", Doc.RUNNING),
        (Doc.RUNNING, Outcome.DONE, "extract", Doc.RUNNING),
        (Doc.RUNNING, Outcome.DONE, "store", Doc.DONE),
        (Doc.QUEUED, Outcome.FAILED, "clean", Doc.FAILED),
        (Doc.RUNNING, Outcome.SKIPPED, "extract", Doc.SKIPPED),
        (Doc.DONE, Outcome.SKIPPED, "store", Doc.DONE),
        (Doc.SKIPPED, Outcome.DONE, "store", Doc.SKIPPED),
        (Doc.FAILED, Outcome.DONE, "clean", Doc.FAILED),
    ],
)
def test_a_document_moves_forward_and_never_leaves_a_final_state(
    current: Doc, outcome: Outcome, stage: str, expected: Doc
) -> None:
    assert document_status_after(current, outcome, stage=stage, last_stage="store") is expected


def test_a_document_is_done_after_the_last_stage_of_its_run() -> None:
    assert document_status_after(Doc.QUEUED, Outcome.DONE, stage="clean", last_stage="clean") is Doc.DONE


def test_a_running_run_completes_once_every_document_is_accounted_for() -> None:
    assert run_status_after(Run.RUNNING, counts(3, done=2), live=False, day_over=False) is Run.RUNNING
    assert run_status_after(Run.RUNNING, counts(3, 2, 1), live=False, day_over=False) is Run.COMPLETED


def test_a_live_run_stays_open_until_its_day_is_over() -> None:
    assert run_status_after(Run.RUNNING, counts(3, 3), live=True, day_over=False) is Run.RUNNING
    assert run_status_after(Run.RUNNING, counts(3, 3), live=True, day_over=True) is Run.COMPLETED
    assert run_status_after(Run.RUNNING, counts(3, 2), live=True, day_over=True) is Run.RUNNING


@pytest.mark.parametrize("status", [Run.QUEUED, Run.CANCELLED, Run.FAILED, Run.COMPLETED])
def test_only_a_running_run_changes_status_by_itself(status: Run) -> None:
    assert run_status_after(status, counts(1, 1), live=False, day_over=False) is status


def test_success_means_completed_without_a_failure() -> None:
    assert success_of(Run.COMPLETED, counts(2, 2)) is True
    assert success_of(Run.COMPLETED, counts(2, 1, 1)) is False
    assert success_of(Run.CANCELLED, counts(2, 2)) is False
    assert success_of(Run.RUNNING, counts(2, 2)) is None


@pytest.mark.parametrize("status", [Run.QUEUED, Run.RUNNING])
def test_queued_and_running_runs_can_be_cancelled(status: Run) -> None:
    check_cancellable(status, live=False)


@pytest.mark.parametrize("status", [Run.COMPLETED, Run.FAILED, Run.CANCELLED])
def test_a_final_run_cannot_be_cancelled(status: Run) -> None:
    with pytest.raises(ConflictError, match=f"already {status}"):
        check_cancellable(status, live=False)


def test_a_live_run_cannot_be_cancelled() -> None:
    with pytest.raises(ConflictError, match="live-ingestion"):
        check_cancellable(Run.RUNNING, live=True)


def test_the_api_selection_becomes_a_stored_selection() -> None:
    run_id = "3f1c2a9e-0000-4000-8000-000000000000"
    assert selection_of("all") == {"kind": "all"}
    assert selection_of("failed") == {"kind": "failed"}
    assert selection_of(f"run:{run_id.upper()}") == {"kind": "run", "run_id": run_id}
    assert selection_of(["b" * 64, "a" * 64, "b" * 64]) == {"kind": "ids", "doc_ids": ["a" * 64, "b" * 64]}
    assert failed_in(__import__("uuid").UUID(run_id)) == {"kind": "failed_in_run", "run_id": run_id}

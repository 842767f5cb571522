"""Run and run-document state transitions, as pure functions.

A document of a run moves queued -> running -> done | failed | skipped and never leaves a final
state, so applying the same stage report twice (a redelivery), or late, changes nothing.
"""

from app.errors import ConflictError
from schemas.progress import Outcome
from schemas.runs import FINAL_RUN_STATUSES, RunCounts, RunDocumentStatus, RunStatus

FINAL_DOCUMENT_STATUSES = frozenset(
    {RunDocumentStatus.DONE, RunDocumentStatus.FAILED, RunDocumentStatus.SKIPPED}
)


def document_status_after(
    current: RunDocumentStatus, outcome: Outcome, *, stage: str, last_stage: str
) -> RunDocumentStatus:
    """Where a run's document is after a stage reported `outcome` on it."""
    if current in FINAL_DOCUMENT_STATUSES:
        return current
    if outcome is Outcome.DONE:
        return RunDocumentStatus.DONE if stage == last_stage else RunDocumentStatus.RUNNING
    return RunDocumentStatus.FAILED if outcome is Outcome.FAILED else RunDocumentStatus.SKIPPED


def run_status_after(status: RunStatus, counts: RunCounts, *, live: bool, day_over: bool) -> RunStatus:
    """A running run completes once every document is accounted for (a live one, once its day is over)."""
    if status is not RunStatus.RUNNING:
        return status
    if counts.pending == 0 and (not live or day_over):
        return RunStatus.COMPLETED
    return RunStatus.RUNNING


def success_of(status: RunStatus, counts: RunCounts, *, problems: bool = False) -> bool | None:
    """True for a completed run without failures; None while the run is not final.

    `problems`: something outside its documents went wrong (a source Fetch New Data could not fetch).
    """
    if status not in FINAL_RUN_STATUSES:
        return None
    return status is RunStatus.COMPLETED and counts.failed == 0 and not problems


def check_cancellable(status: RunStatus, *, live: bool) -> None:
    """Raise ConflictError unless the run can be cancelled."""
    if live:
        raise ConflictError("a live-ingestion run cannot be cancelled; it closes at the end of its day")
    if status in FINAL_RUN_STATUSES:
        raise ConflictError(f"the run is already {status}")

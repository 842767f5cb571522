"""How a Fetch New Data run reads to its users: success, and what a retry does."""

from app.runs.state import success_of
from app.runs.tasks import FETCH_NEW_DATA, retry_task
from schemas.runs import RunCounts, RunStatus


def test_a_completed_fetch_with_a_source_problem_is_not_a_success() -> None:
    clean = RunCounts(total=2, done=2, failed=0, skipped=0)
    assert success_of(RunStatus.COMPLETED, clean) is True
    assert success_of(RunStatus.COMPLETED, clean, problems=True) is False
    assert success_of(RunStatus.RUNNING, clean, problems=True) is None


def test_retrying_a_fetch_run_processes_its_failed_documents_again_rather_than_fetching() -> None:
    assert retry_task(FETCH_NEW_DATA).slug == "full-pipeline"

"""A run row as the API, the progress stream and the WebSocket show it."""

from app.runs.phrases import summarize
from app.runs.tasks import TASKS
from app.storage.run_tables import RunRow
from schemas.models import TrainModel
from schemas.runs import RunCounts, RunSnapshot, StartedBy


def snapshot_of(run: RunRow) -> RunSnapshot:
    """The run's state, with the sentence a person reads about it."""
    task = TASKS.get(run.task)
    name = task.name if task else run.task
    phrase = task.phrase if task else run.task
    parameters = run.parameters or {}
    counts = RunCounts(total=run.total, done=run.done, failed=run.failed, skipped=run.skipped)
    return RunSnapshot(
        id=run.id,
        task=run.task,
        task_name=name,
        phrase=phrase,
        summary=summarize(
            phrase, run.status, counts, run.eta_seconds, run.message, task.unit if task else "files processed"
        ),
        status=run.status,
        success=run.success,
        counts=counts,
        rate_per_minute=None if run.rate_per_second is None else round(run.rate_per_second * 60, 2),
        eta_seconds=None if run.eta_seconds is None else round(run.eta_seconds, 1),
        live=run.live,
        source=run.source,
        day=run.day,
        started_by=StartedBy(kind=run.started_by_kind, name=run.started_by_name),
        retry_of=run.retry_of,
        message=run.message,
        training=None if parameters.get("model") is None else TrainModel.model_validate(parameters["model"]),
        dataset=parameters.get("dataset"),
        model_id=run.model_id,
        model_version=run.model_version,
        revision=run.revision,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        updated_at=run.updated_at,
    )

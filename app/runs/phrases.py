"""The sentence a person reads about a run: "Executing PDF extraction pipeline — 7/10 files processed"."""

from schemas.runs import RunCounts, RunStatus


def humanize_duration(seconds: float) -> str:
    """ "less than a minute", "1 minute", "12 minutes", "3 hours"."""
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(seconds / 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def summarize(
    phrase: str,
    status: RunStatus,
    counts: RunCounts,
    eta: float | None,
    message: str | None = None,
    unit: str = "files processed",
) -> str:
    """The run's state as one sentence, led by what the task does.

    `message` is the failure's reason, or for a run that counts steps the step in progress (running)
    and what it produced (completed): "Training model — 1/3 steps done (Fitting and cross-validating)".
    """
    progress = f"{counts.processed}/{counts.total} {unit}"
    if status is RunStatus.RUNNING and message:
        progress = f"{progress} ({message})"
    if status is RunStatus.QUEUED:
        return f"{phrase} — queued"
    if status is RunStatus.RUNNING and counts.pending == 0:
        return f"{phrase} — {progress}"  # e.g. a live run, open for more documents
    if status is RunStatus.RUNNING:
        remaining = "estimating time remaining" if eta is None else f"{humanize_duration(eta)} remaining"
        return f"{phrase} — {progress}, {remaining}"
    if status is RunStatus.COMPLETED and message:
        return f"{phrase} — completed, {progress}: {message}"
    if status is RunStatus.COMPLETED:
        return f"{phrase} — completed, {progress}, {counts.failed} failed"
    if status is RunStatus.FAILED:
        return f"{phrase} — failed: {message or 'unknown error'}"
    return f"{phrase} — cancelled, {counts.done} done, {counts.skipped} skipped, {counts.failed} failed"

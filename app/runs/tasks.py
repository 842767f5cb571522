"""The built-in tasks, addressed by slug. A task names the stages it covers and how a run of it starts.

Tasks are code, not rows: their behaviour is code too. What an admin edits about a task (its
schedule) belongs in the database, keyed by the task's slug.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.errors import NotFoundError
from schemas.documents import Stage


class Launch(StrEnum):
    """How a run of a task gets its work."""

    REPLAY = "replay"
    """Republish stored inputs of the chosen documents to the task's first stage."""
    FETCH = "fetch"
    """Fetch new documents from the configured sources (Fetch New Data)."""
    LIVE = "live"
    """Never started by hand: documents join it as they arrive (uploads, ingest events)."""


@dataclass(frozen=True, slots=True)
class TaskDefinition:
    """A named job: what it does, which stages it covers, and the phrase shown while it runs."""

    slug: str
    name: str
    description: str
    stages: tuple[str, ...]
    phrase: str
    launch: Launch

    @property
    def startable(self) -> bool:
        """Whether `POST /api/v1/tasks/{slug}/runs` may start it."""
        return self.launch is not Launch.LIVE

    @property
    def first_stage(self) -> Stage:
        """Where a run of this task enters the pipeline (clean or extract: a stage with stored input)."""
        return Stage(self.stages[0])

    @property
    def last_stage(self) -> str:
        """After this stage a document of the run is done, and is not passed further on."""
        return self.stages[-1]


SCORE = "score"
"""The score stage (app/pipeline/score.py), between extract and store; named here to keep app/runs light."""
PIPELINE: tuple[str, ...] = (Stage.CLEAN, Stage.EXTRACT, SCORE, Stage.STORE)
NEXT_STAGE: dict[str, str | None] = {
    Stage.CLEAN: Stage.EXTRACT,
    Stage.EXTRACT: SCORE,
    SCORE: Stage.STORE,
    Stage.STORE: None,
}
LIVE_INGESTION = "live-ingestion"

TASKS: dict[str, TaskDefinition] = {
    task.slug: task
    for task in (
        TaskDefinition(
            "fetch-new-data",
            "Fetch New Data",
            "Fetch new documents from every configured source and run them through the pipeline.",
            PIPELINE,
            "Fetching new data",
            Launch.FETCH,
        ),
        TaskDefinition(
            "clean-pdf",
            "Clean PDF",
            "Validate the chosen documents again from their stored bytes (page count, scanned pages).",
            (Stage.CLEAN,),
            "Cleaning PDFs",
            Launch.REPLAY,
        ),
        TaskDefinition(
            "extract-data",
            "Extract Data",
            "Extract text, tables and metadata of the chosen cleaned documents again; score and store them.",
            (Stage.EXTRACT, SCORE, Stage.STORE),
            "Extracting data from PDFs",
            Launch.REPLAY,
        ),
        TaskDefinition(
            "full-pipeline",
            "Full Pipeline",
            "Run the chosen documents through every stage again: clean, extract, score, store.",
            PIPELINE,
            "Executing PDF extraction pipeline",
            Launch.REPLAY,
        ),
        TaskDefinition(
            LIVE_INGESTION,
            "Live Ingestion",
            "Uploads and upstream events without a run: one standing run per source and UTC day.",
            PIPELINE,
            "Executing PDF extraction pipeline",
            Launch.LIVE,
        ),
    )
}


def get_task(slug: str) -> TaskDefinition:
    """The task with this slug, or NotFoundError."""
    try:
        return TASKS[slug]
    except KeyError:
        raise NotFoundError(f"no task named {slug!r}") from None


def retry_task(slug: str) -> TaskDefinition:
    """The task that retries a run of `slug`: the same, except live ingestion retries as Full Pipeline."""
    return TASKS["full-pipeline"] if slug == LIVE_INGESTION else get_task(slug)

"""The built-in tasks, addressed by slug. A task names the stages it covers and how a run of it starts.

Tasks are code, not rows: their behaviour is code too. What an admin edits about a task (its
schedule) belongs in the database, keyed by the task's slug.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.errors import NotFoundError
from schemas.auth import Role
from schemas.documents import Stage


class Launch(StrEnum):
    """How a run of a task gets its work."""

    REPLAY = "replay"
    """Republish stored inputs of the chosen documents to the task's first stage."""
    FETCH = "fetch"
    """Fetch new documents from the configured sources (Fetch New Data)."""
    LIVE = "live"
    """Never started by hand: documents join it as they arrive (uploads, ingest events)."""
    TRAIN = "train"
    """Train a model in a worker process of the launching worker (Train Model); counts steps."""
    RESCORE = "rescore"
    """Score stored documents again from their extraction, or a dataset's records (Rescore Data)."""


@dataclass(frozen=True, slots=True)
class TaskDefinition:
    """A named job: what it does, which stages it covers, and the phrase shown while it runs."""

    slug: str
    name: str
    description: str
    stages: tuple[str, ...]
    phrase: str
    launch: Launch
    unit: str = "files processed"
    """What the counts count, as the summary says it: "7/10 files processed", "2/4 steps done"."""
    role: Role = Role.OPERATOR
    """Who may start a run of it (the API route itself needs an operator)."""

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
FETCH_NEW_DATA = "fetch-new-data"
TRAIN_MODEL = "train-model"
RESCORE = "rescore"

TASKS: dict[str, TaskDefinition] = {
    task.slug: task
    for task in (
        TaskDefinition(
            FETCH_NEW_DATA,
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
        TaskDefinition(
            TRAIN_MODEL,
            "Train Model",
            "Train a document classifier, document topics or a dataset's anomaly model on the stored data; "
            "optionally activate it.",
            (),
            "Training model",
            Launch.TRAIN,
            unit="steps done",
            role=Role.ADMIN,
        ),
        TaskDefinition(
            RESCORE,
            "Rescore Data",
            "Score the chosen stored documents again with the active models (from their stored extraction), "
            "or every record of a dataset.",
            (SCORE, Stage.STORE),
            "Rescoring data",
            Launch.RESCORE,
            unit="items scored",
        ),
    )
}


def counts_itself(task: str, parameters: Mapping[str, Any] | None) -> bool:
    """Whether a run's counts are steps or records written by its worker, not its documents' states.

    Train Model counts its steps; Rescore Data over a dataset counts the dataset's records.
    """
    return task == TRAIN_MODEL or (task == RESCORE and bool((parameters or {}).get("dataset")))


def get_task(slug: str) -> TaskDefinition:
    """The task with this slug, or NotFoundError."""
    try:
        return TASKS[slug]
    except KeyError:
        raise NotFoundError(f"no task named {slug!r}") from None


def retry_task(slug: str) -> TaskDefinition:
    """The task that retries a run of `slug`: the same, except that live ingestion and Fetch New Data
    retry as Full Pipeline (their failed documents are already here: fetching again would not redo them)."""
    return TASKS["full-pipeline"] if slug in (LIVE_INGESTION, FETCH_NEW_DATA) else get_task(slug)

"""Tasks and runs: what a run is, its state as the API and the progress stream show it.

A *task* is a named job (Full Pipeline, Clean PDF, ...); a *run* is one execution of it over a set of
documents. The same `RunSnapshot` is answered by `GET /api/v1/runs/{id}`, pushed over `/ws/progress`
and carried by `RunProgressed`, so a client renders "Executing PDF extraction pipeline — 7/10 files
processed, 2 minutes remaining" from any one of them.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from schemas.base import DocId, Message
from schemas.models import ModelVersion, TrainModel
from schemas.records import DatasetSlug


class RunStatus(StrEnum):
    """Where a run is. `completed`, `failed` and `cancelled` are final.

    `completed` means every document was accounted for (`success` says whether none failed);
    `failed` means the run itself could not execute (e.g. no sources configured).
    """

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_RUN_STATUSES = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED})


class RunDocumentStatus(StrEnum):
    """Where one document of a run is. `done`, `failed` and `skipped` are final."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class TriggerKind(StrEnum):
    """Who or what started a run. `upstream` covers uploads and ingest events (live-ingestion runs)."""

    USER = "user"
    API_TOKEN = "api_token"  # noqa: S105 - a kind of caller, not a secret
    SCHEDULE = "schedule"
    UPSTREAM = "upstream"
    AUTOMATIC = "automatic"
    """Started by Headwater itself, e.g. training after N new documents (`name` says which threshold)."""


class StartedBy(Message):
    """Who or what started a run, e.g. `{"kind": "user", "name": "ada"}`."""

    kind: TriggerKind
    name: str | None = Field(default=None, max_length=255)


class RunCounts(Message):
    """How many documents a run covers, and how many reached each final state."""

    total: int = Field(ge=0)
    done: int = Field(ge=0)
    failed: int = Field(ge=0)
    skipped: int = Field(ge=0)

    @property
    def processed(self) -> int:
        """Documents in a final state."""
        return self.done + self.failed + self.skipped

    @property
    def pending(self) -> int:
        """Documents not yet in a final state."""
        return max(0, self.total - self.processed)


class RunSnapshot(Message):
    """The state of one run: enough to render its progress without another request."""

    id: UUID
    task: str = Field(examples=["full-pipeline"])
    task_name: str = Field(examples=["Full Pipeline"])
    phrase: str = Field(examples=["Executing PDF extraction pipeline"])
    summary: str = Field(
        examples=["Executing PDF extraction pipeline — 7/10 files processed, 2 minutes remaining"]
    )
    status: RunStatus
    success: bool | None = Field(description="Set when the run is final: true if no document failed.")
    counts: RunCounts
    rate_per_minute: float | None = Field(
        description="Documents per minute, smoothed over recent throughput."
    )
    eta_seconds: float | None = Field(description="Seconds until every document is processed, if known.")
    live: bool = Field(description="A standing live-ingestion run (one per source and UTC day).")
    source: str | None = Field(description="The source of a live-ingestion run.")
    day: date | None = Field(description="The UTC day of a live-ingestion run.")
    started_by: StartedBy
    retry_of: UUID | None
    message: str | None = Field(
        description="Why the run failed as a whole; for a run that counts steps, the step in progress "
        "or what it produced."
    )
    training: TrainModel | None = Field(default=None, description="What a `train-model` run trains.")
    dataset: DatasetSlug | None = Field(default=None, description="The dataset a `rescore` run scores.")
    model_id: UUID | None = Field(default=None, description="The model a `train-model` run registered.")
    model_version: ModelVersion | None = Field(default=None, description="That model's version.")
    revision: int = Field(description="Grows with every change; a newer snapshot has a higher revision.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


class RunDocumentRead(Message):
    """One document of a run and how far it got."""

    doc_id: DocId
    filename: str | None
    status: RunDocumentStatus
    stage: str | None = Field(description="The last stage that reported on the document in this run.")
    error: str | None
    updated_at: datetime


class RunDetail(Message):
    """A run's state and one page of its documents."""

    run: RunSnapshot
    documents: list[RunDocumentRead]
    documents_total: int = Field(description="How many documents match, across every page.")
    limit: int
    offset: int


class RunPage(Message):
    """One page of runs, newest first."""

    items: list[RunSnapshot]
    total: int
    limit: int
    offset: int


RunSelector = Annotated[
    str,
    StringConstraints(
        pattern=r"^run:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]


class StartRunRequest(Message):
    """Which documents a run covers: `"all"`, `"failed"`, `"run:<run id>"` or a list of document ids.

    `train-model` takes `model` (what to train, and whether to activate it) instead; `rescore` scores
    the chosen documents again, or with `dataset` that dataset's records.
    """

    documents: Literal["all", "failed"] | RunSelector | list[DocId] = Field(
        default="all", examples=["all", "failed", "run:3f1c2a9e-0000-4000-8000-000000000000"]
    )
    model: TrainModel | None = Field(
        default=None,
        description="`train-model` only: what to train; default a document classifier, not activated.",
    )
    dataset: DatasetSlug | None = Field(
        default=None, description="`rescore` only: rescore this dataset's records instead of documents."
    )


class TaskSchedule(StartRunRequest):
    """When a task runs by itself (admins set it), and over what: the fields of `StartRunRequest`.

    Missed fires: when no worker ran over one or more fire times, the task runs once when one is back
    (standing for the latest missed fire), unless that fire is older than the grace period
    (`HEADWATER_SCHEDULE_GRACE_HOURS`, default 24): then it is skipped and the next one awaited.
    """

    task: str = Field(examples=["full-pipeline"])
    cron: str = Field(examples=["0 4 * * *"], description="Five fields: minute hour day month weekday.")
    timezone: str = Field(examples=["America/Toronto"], description="The IANA zone the cron reads.")
    description: str = Field(examples=["At 04:00 every day"], description="The cron expression in words.")
    enabled: bool = Field(description="False while paused.")
    next_run_at: datetime | None = Field(description="The next fire time (UTC); None while paused.")
    upcoming: list[datetime] = Field(description="The next few fire times (UTC); empty while paused.")
    last_fired_at: datetime | None = Field(description="The fire time the last scheduled run stands for.")
    last_run_id: UUID | None = Field(description="The last run the schedule started.")
    updated_at: datetime


class TaskRead(Message):
    """A task: what it does, the stages it covers, whether it can be started, and its last run."""

    slug: str = Field(examples=["full-pipeline"])
    name: str
    description: str
    stages: list[str]
    startable: bool = Field(description="False for tasks that only start by themselves (live ingestion).")
    schedule: TaskSchedule | None = None
    last_run: RunSnapshot | None

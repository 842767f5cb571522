"""Control commands on the control topic: imperative, consumed by every worker (no shared group).

The API writes a command's effect to the database first (the source of truth) and then publishes it,
so a worker that misses the message (it started late) still finds the run's state there.
"""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, RootModel, TypeAdapter

from schemas.base import Event
from schemas.models import ModelKind
from schemas.runs import StartedBy


class StartRun(Event):
    """Launch a queued run: select its documents and publish them to the task's first stage."""

    command: Literal["start_run"] = "start_run"
    run_id: UUID
    task: str
    issued_by: StartedBy
    issued_at: datetime


class RetryRun(Event):
    """Launch `run_id`, a new run over the documents that failed in `retry_of`."""

    command: Literal["retry_run"] = "retry_run"
    run_id: UUID
    retry_of: UUID
    issued_by: StartedBy
    issued_at: datetime


class CancelRun(Event):
    """Stop a run: every stage skips its queued documents and in-flight extraction stops between pages."""

    command: Literal["cancel_run"] = "cancel_run"
    run_id: UUID
    issued_by: StartedBy
    issued_at: datetime


class ActivateModel(Event):
    """Switch to the model `model_id` for its kind and scope (already active in the database) now."""

    command: Literal["activate_model"] = "activate_model"
    model_id: UUID
    kind: ModelKind
    scope: str = Field(min_length=1, max_length=64)
    version: str = Field(min_length=1, max_length=64)
    issued_by: StartedBy
    issued_at: datetime


ControlCommand = Annotated[StartRun | RetryRun | CancelRun | ActivateModel, Field(discriminator="command")]
"""Any command on the control topic; `command` says which."""

COMMANDS: TypeAdapter[StartRun | RetryRun | CancelRun | ActivateModel] = TypeAdapter(ControlCommand)
"""Decodes one control message into its command."""


class ControlMessage(RootModel[ControlCommand]):
    """One command; its `command` field says which (this model documents the topic in docs/EVENTS.md)."""

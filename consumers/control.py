"""Control: control -> this process. Every process hears every command (no consumer group, from latest).

`CancelRun` marks the run cancelled in this process's gate at once (the database already says so);
`StartRun`/`RetryRun` ask the launcher, and the one process that claims the run launches it.
`ActivateModel` makes this process's scorers re-read the active model before their next input.
"""

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from pydantic import ValidationError

from app.pipeline.context import Pipeline
from consumers._stage import describe_validation_error, raw_body
from producers.launch import RunLauncher
from schemas.control import COMMANDS, ActivateModel, CancelRun, RetryRun, StartRun

log = structlog.get_logger(__name__)


CONTROL_FETCH_MAX_WAIT_MS = 100
"""How long a fetch of the control topic may wait for data; idle fetches cost nothing."""


def create_router(pipeline: Pipeline, launcher: RunLauncher) -> KafkaRouter:
    """The control subscriber of one process."""
    router = KafkaRouter()

    @router.subscriber(
        pipeline.topics.control,
        # No group: a broadcast. Nothing to commit, and missed commands are found in the database.
        ack_policy=AckPolicy.ACK_FIRST,
        auto_offset_reset="latest",
        decoder=raw_body,
        # A cancel must reach the extract stage fast; Kafka's default 500 ms fetch wait added up to
        # ~400 ms to the time a cancel takes to stop an extraction (docs/BENCHMARKS.md).
        fetch_max_wait_ms=CONTROL_FETCH_MAX_WAIT_MS,
    )
    async def on_command(body: bytes) -> None:
        """Apply one control command in this process."""
        try:
            command = COMMANDS.validate_json(body)
        except ValidationError as exc:
            log.warning("invalid control command ignored", reason=describe_validation_error(exc))
            return
        log.info("control command", command=command.command)
        if isinstance(command, CancelRun):
            pipeline.runs.cancel(command.run_id)
        elif isinstance(command, StartRun | RetryRun):
            launcher.launch_soon(command.run_id)
        elif isinstance(command, ActivateModel):
            pipeline.models.forget(command.kind, command.scope)  # the next input loads the new model

    return router

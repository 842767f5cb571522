"""What every stage handler shares: raw decoding, the ack policy, dead letters and transient retries.

Ack policy: NACK_ON_ERROR. The offset is committed only after the handler returned, i.e. after
the stage's output is durable in the database and the next event is acknowledged by the broker.
Permanent failures are dead-lettered (durably) and then committed; transient failures are retried
a few times and then re-raised, so the message is sought back and redelivered.

Runs: every outcome (done, failed, skipped) is reported as `DocumentProgressed` for the progress
aggregator. A document of a cancelled run is skipped before any work, and work that learns of the
cancel midway (`RunCancelled`) is skipped too; a run ends at its task's last stage.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import structlog
from faststream import AckPolicy
from faststream.exceptions import NackMessage
from faststream.kafka.publisher import DefaultPublisher as KafkaPublisher
from faststream.message import StreamMessage
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from app.errors import PermanentError, RunCancelled, ShuttingDown, TransientError
from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.pipeline.failures import dead_letter, dead_letter_from_error
from app.settings import Settings
from schemas.dead_letters import DeadLetterReason
from schemas.progress import DocumentProgressed, Outcome

log = structlog.get_logger(__name__)
E = TypeVar("E", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)
TRANSIENT = (TransientError, DBAPIError, OSError)


async def raw_body(message: StreamMessage[Any]) -> bytes:
    """Hand the handler the raw bytes: decoding is ours, so a malformed event becomes a dead letter."""
    return bytes(message.body)


def subscription(pipeline: Pipeline, stage: str, readiness: GroupReadiness) -> dict[str, Any]:
    """Subscriber options of a stage: its own consumer group, commit-after-success, raw bytes."""
    return {
        "group_id": pipeline.topics.group(stage),
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "decoder": raw_body,
        "listener": readiness.listener(stage),
        "auto_offset_reset": "earliest",
        **group_timing(pipeline.settings),
    }


def group_timing(settings: Settings) -> dict[str, int]:
    """Session timeout and heartbeat of a consumer group (a third of the session, as Kafka advises)."""
    session = settings.consumer_session_timeout_ms
    return {"session_timeout_ms": session, "heartbeat_interval_ms": session // 3}


def describe_validation_error(error: ValidationError) -> str:
    """A short, readable account of what is wrong with an event."""
    parts = [f"{'.'.join(map(str, e['loc'])) or 'event'}: {e['msg']}" for e in error.errors()[:5]]
    return "The event does not match its schema: " + "; ".join(parts)


async def process(
    pipeline: Pipeline,
    *,
    stage: str,
    topic: str,
    body: bytes,
    model: type[E],
    work: Callable[[E], Awaitable[R]],
    to_next: KafkaPublisher | None,
    to_dead_letters: KafkaPublisher,
    to_progress: KafkaPublisher,
    publish: Callable[[R], Awaitable[None]] | None = None,
) -> None:
    """Decode, do the stage's work with bounded retries, and publish the result or a dead letter.

    `publish` replaces the default (`to_next`, keyed by document id) for results that are not one
    document, e.g. a records batch split into chunks and keyed by dataset.
    """
    try:
        event = model.model_validate_json(body)
    except ValidationError as exc:
        letter = await dead_letter(
            pipeline,
            stage=stage,
            topic=topic,
            reason_code=DeadLetterReason.INVALID_EVENT,
            reason=describe_validation_error(exc),
            payload=body,
        )
        log.warning("invalid event dead-lettered", stage=stage, topic=topic, reason=letter.reason)
        await to_dead_letters.publish(letter, key=str(letter.id).encode())
        return
    event = await pipeline.runs.admit(event)  # a submitted document without a run joins a live run
    doc_id = getattr(event, "doc_id", None) or getattr(event, "blob_sha256", None)
    run_id = getattr(event, "run_id", None)
    with structlog.contextvars.bound_contextvars(stage=stage, doc_id=doc_id, run_id=run_id):
        if await pipeline.runs.is_cancelled(run_id):
            log.info("skipped: the run was cancelled")
            await report(to_progress, run_id, doc_id, stage, Outcome.SKIPPED, "The run was cancelled.")
            return
        try:
            result = await _with_retries(work, event)
        except ShuttingDown:
            log.info("work abandoned for shutdown; it is redelivered after restart")
            raise NackMessage() from None
        except RunCancelled:
            log.info("stopped: the run was cancelled")
            await report(to_progress, run_id, doc_id, stage, Outcome.SKIPPED, "The run was cancelled.")
            return
        except PermanentError as exc:
            letter = await dead_letter_from_error(
                pipeline,
                exc,
                stage=stage,
                topic=topic,
                payload=body,
                doc_id=exc.doc_id or doc_id,
                run_id=run_id,
            )
            log.warning(
                "dead-lettered", dead_doc_id=letter.doc_id, reason_code=exc.reason_code, reason=exc.reason
            )
            await to_dead_letters.publish(letter, key=str(letter.id).encode())
            await report(to_progress, run_id, letter.doc_id, stage, Outcome.FAILED, exc.reason)
            return
        await report(to_progress, run_id, getattr(result, "doc_id", doc_id), stage, Outcome.DONE)
        if publish is not None:
            await publish(result)
        elif to_next is not None and await pipeline.runs.continues_after(run_id, stage):
            await to_next.publish(result, key=str(getattr(result, "doc_id", "")).encode())


async def report(
    to_progress: KafkaPublisher,
    run_id: UUID | None,
    doc_id: str | None,
    stage: str,
    outcome: Outcome,
    error: str | None = None,
) -> None:
    """Tell the progress aggregator what this stage did with a document of a run (keyed by run)."""
    if run_id is None or doc_id is None:
        return  # not part of any run: nothing to account for
    event = DocumentProgressed(
        run_id=run_id,
        doc_id=doc_id,
        stage=stage,
        outcome=outcome,
        error=None if error is None else error[:2000],
        occurred_at=datetime.now(UTC),
    )
    await to_progress.publish(event, key=str(run_id).encode())


async def _with_retries(work: Callable[[E], Awaitable[R]], event: E) -> R:
    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(TRANSIENT),
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=0.5, max=5),
            reraise=True,
        ):
            with attempt:
                return await work(event)
    except (PermanentError, ShuttingDown, RunCancelled, *TRANSIENT):
        raise
    except Exception as exc:  # a bug or a library fault: keep the input, never loop on it
        log.exception("unexpected failure; dead-lettering the input")
        raise PermanentError(
            DeadLetterReason.INTERNAL_ERROR, f"Unexpected {type(exc).__name__}: {exc}"[:1000]
        ) from exc
    raise AssertionError("unreachable: AsyncRetrying either returns or raises")

"""Dead letters: inputs the pipeline gave up on, with the reason, for a person to act on.

Operators retry a letter (its document runs through the whole pipeline again, from its stored
bytes; a rejected record is published again) or discard it. Either way the row stays, marked with
who did what and when; a retried input that fails again reopens its letter.
"""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from app import storage
from app.errors import ConflictError, NotFoundError, TransientError
from app.pipeline.retry import RETRY_TASK, DocumentInput, retry_input
from app.storage.dead_letters import (
    get_dead_letter,
    reopen_dead_letter,
    resolve_dead_letter,
    set_retry_run,
)
from app.storage.documents import get_document
from schemas.api import DeadLetterPage, DeadLetterRead
from schemas.auth import Role
from schemas.dead_letters import DeadLetterReason, DeadLetterStatus
from schemas.runs import StartedBy
from web.controllers.runs import caller
from web.security.access import requires
from web.services import DbSession, Services, WebServices

RETRY_SOURCE = "dead-letter-retry"
"""The `source` of records published again by a retry."""


class DeadLetterController(Controller):
    """List dead letters (viewers); retry or discard them (operators)."""

    path = "/api/v1/dead-letters"
    tags = ["dead letters"]
    opt = requires(Role.VIEWER)

    @get("/", operation_id="ListDeadLetters")
    async def list_dead_letters(
        self,
        db_session: DbSession,
        stage: Annotated[str | None, QueryParameter(min_length=1, max_length=32)] = None,
        status: FromQuery[DeadLetterStatus | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,  # larger overflows the database
    ) -> DeadLetterPage:
        """One page of dead letters, newest first, optionally of one stage or status only."""
        rows, total = await storage.list_dead_letters(
            db_session, limit=limit, offset=offset, stage=stage, status=status
        )
        return DeadLetterPage(
            items=[dead_letter_read(row) for row in rows], total=total, limit=limit, offset=offset
        )

    @post(
        "/{letter_id:uuid}/retry",
        operation_id="RetryDeadLetter",
        status_code=HTTP_202_ACCEPTED,
        opt=requires(Role.OPERATOR),
    )
    async def retry_dead_letter(
        self, letter_id: FromPath[UUID], services: Services, request: Request[Any, Any, Any]
    ) -> DeadLetterRead:
        """Send the letter's input through the pipeline again and mark it retried.

        A document gets a Full Pipeline run over it (`retry_run_id`); a rejected record is
        published again. 409 if the letter is not open or keeps no input to send again.
        """
        return dead_letter_read(await retry(services, letter_id, caller(request)))

    @post(
        "/{letter_id:uuid}/discard",
        operation_id="DiscardDeadLetter",
        status_code=HTTP_200_OK,
        opt=requires(Role.OPERATOR),
    )
    async def discard_dead_letter(
        self, letter_id: FromPath[UUID], services: Services, request: Request[Any, Any, Any]
    ) -> DeadLetterRead:
        """Mark an open letter discarded: nobody needs to act on it. The row is kept for the record."""
        async with services.sessions.begin() as session:
            row = await _resolve(session, letter_id, DeadLetterStatus.DISCARDED, caller(request))
        return dead_letter_read(row)


async def retry(services: WebServices, letter_id: UUID, by: StartedBy) -> storage.DeadLetterRow:
    """Mark the letter retried (so two operators cannot retry it twice), then send its input again."""
    async with services.sessions.begin() as session:
        letter = await get_dead_letter(session, letter_id)
        if letter is None:
            raise NotFoundError("dead letter not found")
        if letter.status != DeadLetterStatus.OPEN:
            raise _already(letter)
        target = retry_input(letter)
        if isinstance(target, DocumentInput) and await get_document(session, target.doc_id) is None:
            raise ConflictError("The document was never stored, so there are no bytes to retry from.")
        await _resolve(session, letter_id, DeadLetterStatus.RETRIED, by)
    try:
        run_id = None
        if isinstance(target, DocumentInput):
            run_id = (await services.runs.start(RETRY_TASK, [target.doc_id], by)).id
        elif services.records is None:
            raise TransientError("this web process has no Kafka producer")
        else:
            await services.records.submit(target.dataset, [target.record], source=RETRY_SOURCE)
    except Exception:
        async with services.sessions.begin() as session:
            await reopen_dead_letter(session, letter_id)
        raise
    async with services.sessions.begin() as session:
        if run_id is not None:
            await set_retry_run(session, letter_id, run_id)
        row = await get_dead_letter(session, letter_id)
    assert row is not None, "dead letters are never deleted"
    return row


async def _resolve(
    session: AsyncSession, letter_id: UUID, status: DeadLetterStatus, by: StartedBy
) -> storage.DeadLetterRow:
    row = await resolve_dead_letter(
        session, letter_id, status, by=by.name or str(by.kind), now=datetime.now(UTC)
    )
    if row is not None:
        return row
    existing = await get_dead_letter(session, letter_id)
    if existing is None:
        raise NotFoundError("dead letter not found")
    raise _already(existing)


def _already(letter: storage.DeadLetterRow) -> ConflictError:
    return ConflictError(f"The dead letter was already {letter.status} by {letter.resolved_by or 'someone'}.")


def dead_letter_read(row: storage.DeadLetterRow) -> DeadLetterRead:
    """The API view of a dead letter row."""
    return DeadLetterRead(
        id=row.id,
        stage=row.stage,
        topic=row.topic,
        reason_code=DeadLetterReason(row.reason_code),
        reason=row.reason,
        doc_id=row.doc_id,
        run_id=row.run_id,
        payload_preview=row.payload_preview,
        occurred_at=row.occurred_at,
        status=DeadLetterStatus(row.status),
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        retry_run_id=row.retry_run_id,
    )

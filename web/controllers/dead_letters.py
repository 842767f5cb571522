"""Dead letters: inputs the pipeline gave up on, with the reason, for a person to act on."""

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from app import storage
from schemas.api import DeadLetterPage, DeadLetterRead
from schemas.auth import Role
from schemas.dead_letters import DeadLetterReason
from web.security.access import requires
from web.services import DbSession


class DeadLetterController(Controller):
    """List dead letters."""

    path = "/api/v1/dead-letters"
    tags = ["dead letters"]
    opt = requires(Role.VIEWER)

    @get("/", operation_id="ListDeadLetters")
    async def list_dead_letters(
        self,
        db_session: DbSession,
        stage: Annotated[str | None, QueryParameter(min_length=1, max_length=32)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,  # larger overflows the database
    ) -> DeadLetterPage:
        """One page of dead letters, newest first, optionally from one stage only."""
        rows, total = await storage.list_dead_letters(db_session, limit=limit, offset=offset, stage=stage)
        items = [
            DeadLetterRead(
                id=row.id,
                stage=row.stage,
                topic=row.topic,
                reason_code=DeadLetterReason(row.reason_code),
                reason=row.reason,
                doc_id=row.doc_id,
                run_id=row.run_id,
                payload_preview=row.payload_preview,
                occurred_at=row.occurred_at,
            )
            for row in rows
        ]
        return DeadLetterPage(items=items, total=total, limit=limit, offset=offset)

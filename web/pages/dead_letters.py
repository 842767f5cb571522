"""The Dead letters page: what failed and why, with retry and discard buttons for operators.

The buttons call the API (`static/js/dead-letters.js`), which then re-reads this page's table.
"""

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from app import storage
from schemas.auth import Role
from schemas.dead_letters import DeadLetterStatus
from web.controllers.dead_letters import dead_letter_read
from web.pages.common import page
from web.pages.query import optional_choice
from web.security.access import requires
from web.services import DbSession

LETTERS_PER_PAGE = 25
PREVIEW_CHARS = 200
MAX_OFFSET = 2**31 - 1


class DeadLetterPages(Controller):
    """The dead letters, newest first."""

    path = "/dead-letters"
    opt = requires(Role.VIEWER)
    include_in_schema = False

    @get("/", name="dead-letters")
    async def dead_letters_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        status: Annotated[str, QueryParameter(max_length=16)] = "",
        stage: Annotated[str | None, QueryParameter(max_length=32)] = None,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Template:
        """Dead letters matching the filters, each with its reason and a preview of its payload."""
        chosen = optional_choice(status, DeadLetterStatus, "status")
        rows, total = await storage.list_dead_letters(
            db_session, limit=LETTERS_PER_PAGE, offset=offset, stage=stage or None, status=chosen
        )
        return page(
            request,
            "dead_letters/index.html",
            letters=[dead_letter_read(row) for row in rows],
            total=total,
            offset=offset,
            limit=LETTERS_PER_PAGE,
            preview_chars=PREVIEW_CHARS,
            filters={"status": chosen.value if chosen else "", "stage": stage or ""},
            statuses=[status.value for status in DeadLetterStatus],
            stages=[
                "clean",
                "extract",
                "score",
                "store",
                "validate-records",
                "score-records",
                "store-records",
            ],
        )

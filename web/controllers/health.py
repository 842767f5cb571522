"""Health probes: `/health/live` (the process answers) and `/health/ready` (it can do its work)."""

import asyncio

import structlog
from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schemas.api import Liveness, Readiness
from web.security.access import public
from web.services import Services

DATABASE_TIMEOUT_SECONDS = 2.0

log = structlog.get_logger(__name__)


class HealthController(Controller):
    """Liveness and readiness probes for orchestrators and load balancers."""

    path = "/health"
    tags = ["health"]
    opt = public()

    @get("/live", operation_id="CheckLiveness")
    async def check_liveness(self) -> Liveness:
        """200 whenever the process can answer at all."""
        return Liveness()

    @get(
        "/ready",
        operation_id="CheckReadiness",
        responses={
            HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(Readiness, description="Not ready: see `waiting_for`.")
        },
    )
    async def check_readiness(self, services: Services) -> Response[Readiness]:
        """200 once every consumer group joined and the database answers; 503 naming what is missing."""
        waiting = list(services.readiness())
        if not await database_answers(services.sessions):
            waiting.append("database")
        if waiting:
            return Response(
                Readiness(status="starting", waiting_for=waiting), status_code=HTTP_503_SERVICE_UNAVAILABLE
            )
        return Response(Readiness(status="ready"), status_code=HTTP_200_OK)


async def database_answers(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """True if the database answers `SELECT 1` within a couple of seconds."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS), sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # a probe answers 503 for any failure; it must never be a 500
        log.warning("database not ready", error=repr(exc))
        return False
    return True

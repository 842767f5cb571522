"""Overview statistics for the dashboard's charts."""

from datetime import UTC, datetime

from litestar import Controller, get
from litestar.exceptions import ValidationException
from litestar.params import FromQuery

from app.stats import window_start
from app.storage.stats import overview
from schemas.auth import Role
from schemas.stats import Bucket, StatsOverview
from web.security.access import requires
from web.services import DbSession


class StatsController(Controller):
    """What the pipeline did per hour or day, its throughput, and what is waiting."""

    path = "/api/v1/stats"
    tags = ["statistics"]
    opt = requires(Role.VIEWER)

    @get("/overview", operation_id="GetStatsOverview")
    async def get_overview(
        self,
        db_session: DbSession,
        bucket: FromQuery[Bucket] = Bucket.HOUR,
        since: FromQuery[datetime | None] = None,
    ) -> StatsOverview:
        """Documents received and stored, pages, records and failures per bucket since `since`
        (default: the last 24 hours by hour, 30 days by day), throughput over the window and the
        current queue of documents per stage."""
        now = datetime.now(UTC)
        try:
            start = window_start(since, now, bucket)
        except ValueError as exc:
            raise ValidationException(detail=str(exc)) from None
        return await overview(db_session, bucket, start, now)

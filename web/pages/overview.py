"""The Overview page (`/`): charts of what the pipeline did, how fast, and what is waiting.

The page is a frame; `static/js/overview.js` draws the charts from `GET /api/v1/stats/overview`
and refreshes them every 30 seconds.
"""

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from schemas.auth import Role
from schemas.stats import Bucket
from web.pages.common import page
from web.security.access import requires


class OverviewPages(Controller):
    """The dashboard's front page."""

    path = "/"
    opt = requires(Role.VIEWER)
    include_in_schema = False

    @get("/", name="overview")
    async def overview_page(self, request: Request[Any, Any, Any]) -> Template:
        """Charts of documents, records, failures, throughput and queue depth."""
        return page(request, "overview/index.html", buckets=list(Bucket))

"""The dashboard: server-rendered pages (Jinja2 templates in web/templates) and their static files.

Every page route needs a viewer at least (`PAGE_HANDLERS` get `requires(Role.VIEWER)` unless they
declare more); anonymous browsers are redirected to the login form. Static files under `/static`
are public. See web/pages/README.md to add a page.
"""

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from schemas.auth import Role
from web.pages.admin import AdminPages
from web.pages.common import PAGE_EXCEPTION_HANDLERS, STATIC_DIR, template_config
from web.pages.datasets import DatasetPages
from web.pages.dead_letters import DeadLetterPages
from web.pages.documents import DocumentPages
from web.pages.overview import OverviewPages
from web.pages.runs import RunPages
from web.pages.tasks import TaskPages
from web.security.access import public, requires

__all__ = ["dashboard", "template_config"]


PAGE_HANDLERS: list[ControllerRouterHandler] = [
    OverviewPages,
    TaskPages,
    RunPages,
    DocumentPages,
    DatasetPages,
    DeadLetterPages,
    AdminPages,
]
"""Every page controller; a new page area adds its controller here."""


def dashboard() -> list[ControllerRouterHandler]:
    """The route handlers of the dashboard: its pages, and `/static` (public, revalidated)."""
    pages = Router(
        "/",
        route_handlers=PAGE_HANDLERS,
        opt=requires(Role.VIEWER),
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        "/static",
        directories=[STATIC_DIR],
        opt=public(),
        # Our files change with each release: browsers may keep them but must check (ETag) first.
        cache_control=CacheControlHeader(no_cache=True),
        include_in_schema=False,
    )
    return [pages, static]

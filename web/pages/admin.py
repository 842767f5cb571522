"""The Admin pages (admins only; others get 403 and see no Admin link): users and roles, API
tokens, sources, schedules, models and the audit log.

Pages list what exists; their forms and buttons call the JSON API (`static/js/admin.js`), which
then re-reads the page's table. A new token's secret is shown once, in the page, never stored.
"""

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from app.records.series import numeric_columns
from app.runs.tasks import TASKS
from app.schedules.book import ScheduleBook
from app.security import accounts
from app.storage.audit import list_audit
from app.storage.models import list_models
from app.storage.records import list_datasets
from app.storage.sources import count_items, list_sources
from app.storage.tokens import CredentialKind, list_credentials
from schemas.auth import Role
from schemas.models import ModelKind
from schemas.sources import SourceKind
from web.pages.common import NO_STORE, page
from web.security.access import requires
from web.services import DbSession, Services

AUDIT_PER_PAGE = 50
MODELS_PER_PAGE = 50
MAX_OFFSET = 2**31 - 1
SECTIONS = (
    ("Users", "/admin/users"),
    ("API tokens", "/admin/tokens"),
    ("Sources", "/admin/sources"),
    ("Schedules", "/admin/schedules"),
    ("Models", "/admin/models"),
    ("Audit log", "/admin/audit"),
)


def admin_page(request: Request[Any, Any, Any], template_name: str, /, **context: Any) -> Template:
    """An admin page with the section navigation."""
    return page(request, template_name, sections=SECTIONS, **context)


class AdminPages(Controller):
    """Administration: accounts, credentials, where data comes from, when tasks run, models, audit."""

    path = "/admin"
    opt = requires(Role.ADMIN)
    include_in_schema = False

    @get("/", name="admin")
    async def admin_home(self) -> Redirect:
        """The first section: users."""
        return Redirect("/admin/users", headers=NO_STORE)

    @get("/users", name="admin-users")
    async def users_page(self, request: Request[Any, Any, Any], services: Services) -> Template:
        """Every user: create one, change a role, disable or enable an account."""
        users = await accounts.all_users(services.sessions)
        return admin_page(request, "admin/users.html", users=users, roles=[role.value for role in Role])

    @get("/tokens", name="admin-tokens")
    async def tokens_page(
        self, request: Request[Any, Any, Any], db_session: DbSession, services: Services
    ) -> Template:
        """Every API token (never a secret): create one, revoke one."""
        tokens = await list_credentials(db_session, CredentialKind.TOKEN)
        users = [user for user in await accounts.all_users(services.sessions) if user.active]
        return admin_page(request, "admin/tokens.html", tokens=tokens, users=users)

    @get("/sources", name="admin-sources")
    async def sources_page(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        """Where Fetch New Data fetches from: add, enable or disable, delete."""
        tracked = await count_items(db_session)
        sources = [row.read(tracked.get(row.id, 0)) for row in await list_sources(db_session)]
        return admin_page(
            request, "admin/sources.html", sources=sources, kinds=[kind.value for kind in SourceKind]
        )

    @get("/schedules", name="admin-schedules")
    async def schedules_page(self, request: Request[Any, Any, Any], services: Services) -> Template:
        """When tasks run by themselves: the cron in words and the next fire times."""
        schedules = await ScheduleBook(services.sessions).list_all()
        tasks = [task for task in TASKS.values() if task.startable]
        return admin_page(request, "admin/schedules.html", schedules=schedules, tasks=tasks)

    @get("/models", name="admin-models")
    async def models_page(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        """The model registry: activate a version, or train a new one."""
        models, total = await list_models(db_session, limit=MODELS_PER_PAGE)
        datasets = [
            row.name for row, _ in await list_datasets(db_session) if numeric_columns(row.dataset_schema)
        ]
        return admin_page(
            request,
            "admin/models.html",
            models=[row.info() for row in models],
            total=total,
            kinds=[kind.value for kind in ModelKind],
            datasets=datasets,
        )

    @get("/audit", name="admin-audit")
    async def audit_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: Annotated[str | None, QueryParameter(max_length=64)] = None,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Template:
        """Every state-changing request, newest first, optionally one user's."""
        entries, total = await list_audit(
            db_session, limit=AUDIT_PER_PAGE, offset=offset, user_name=user or None
        )
        return admin_page(
            request,
            "admin/audit.html",
            entries=entries,
            total=total,
            offset=offset,
            limit=AUDIT_PER_PAGE,
            user_filter=user or "",
        )

"""Users API (admins): list, create, change role or password, deactivate; and `GET /api/v1/session`."""

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from app.security import accounts
from app.storage.users import UserRow
from schemas.auth import Role, UserCreate, UserPage, UserRead, UserUpdate, WhoAmI
from web.security.access import principal_of, requires
from web.security.audit import note_audit
from web.security.csrf import csrf_token_of
from web.services import Services


def user_read(row: UserRow) -> UserRead:
    """The API view of a user row (never its password hash)."""
    return UserRead(id=row.id, name=row.name, role=row.role, active=row.active, created_at=row.created_at)


class UserController(Controller):
    """Manage user accounts."""

    path = "/api/v1/users"
    tags = ["users"]
    opt = requires(Role.ADMIN)

    @get("/", operation_id="ListUsers")
    async def list_users(self, services: Services) -> UserPage:
        """Every user account, by name."""
        return UserPage(items=[user_read(row) for row in await accounts.all_users(services.sessions)])

    @post("/", operation_id="CreateUser", status_code=HTTP_201_CREATED)
    async def create_user(
        self, data: JSONBody[UserCreate], services: Services, request: Request[Any, Any, Any]
    ) -> UserRead:
        """Create a user; 409 if the name is taken."""
        row = await accounts.create_user(services.sessions, data.name, data.role, data.password)
        note_audit(request, f"created user {row.name!r} as {row.role}")
        return user_read(row)

    @patch("/{user_id:uuid}", operation_id="UpdateUser")
    async def update_user(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[UserUpdate],
        services: Services,
        request: Request[Any, Any, Any],
    ) -> UserRead:
        """Change a user's role, password or activity; 409 for the last active admin."""
        row = await accounts.update_user(
            services.sessions, user_id, role=data.role, active=data.active, password=data.password
        )
        changed = [name for name in ("role", "active", "password") if getattr(data, name) is not None]
        note_audit(request, f"changed {', '.join(changed) or 'nothing'} of {row.name!r}")
        return user_read(row)


class SessionController(Controller):
    """Who the caller is."""

    path = "/api/v1/session"
    tags = ["users"]
    opt = requires(Role.VIEWER)

    @get("/", operation_id="WhoAmI")
    async def who_am_i(self, request: Request[Any, Any, Any]) -> WhoAmI:
        """The caller's name and role, and for a browser session the CSRF token to send back."""
        principal = principal_of(request)
        if principal is None:  # the access guard already refused anonymous callers
            raise NotAuthorizedException()
        return WhoAmI(
            name=principal.name,
            role=principal.role,
            via=principal.via,
            token_label=principal.token_label,
            csrf_token=csrf_token_of(request) if principal.via == "session" else None,
        )

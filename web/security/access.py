"""Who may call a route: every route declares it in its `opt`, and one app-wide guard enforces it.

    class RunController(Controller):
        opt = requires(Role.OPERATOR)          # every handler here needs an operator
        @get("/", opt=requires(Role.VIEWER))   # ... except this one (a handler's opt wins)

`PUBLIC` routes need no credentials. A route that declares nothing is refused to everyone
(fail closed), and `tests/security/test_route_matrix.py` fails until it declares something.
"""

from typing import Any, Final

import structlog
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, WebSocketException
from litestar.handlers.base import BaseRouteHandler

from app.security.principal import Principal
from schemas.auth import Role

ACCESS: Final = "access"
"""The `opt` key holding a route's decision: a `Role`, or `PUBLIC`."""
PUBLIC: Final = "public"
WS_UNAUTHORIZED = 4401
WS_FORBIDDEN = 4403

log = structlog.get_logger(__name__)


def requires(role: Role) -> dict[str, Any]:
    """`opt` of a route that needs at least `role`."""
    return {ACCESS: role}


def public() -> dict[str, Any]:
    """`opt` of a route anyone may call without credentials (health probes, the login page)."""
    return {ACCESS: PUBLIC}


def access_of(handler: BaseRouteHandler) -> Role | str | None:
    """The route's decision (a `Role` or `PUBLIC`), or None if it declares none."""
    decision = handler.opt.get(ACCESS)
    return decision if isinstance(decision, Role) or decision == PUBLIC else None


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The authenticated caller, or None."""
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def enforce_access(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """App-wide guard: 401 without valid credentials, 403 with too small a role or no declared rule."""
    decision = access_of(handler)
    if decision == PUBLIC or connection.scope.get("method") == "OPTIONS":
        return
    websocket = connection.scope["type"] == ScopeType.WEBSOCKET
    principal = principal_of(connection)
    if principal is None:
        detail = connection.scope.get("auth") or "authentication required"
        if websocket:
            raise WebSocketException(detail=str(detail), code=WS_UNAUTHORIZED)
        raise NotAuthorizedException(detail=str(detail), headers={"WWW-Authenticate": "Bearer"})
    if decision is None:
        log.error("route declares no access rule; refused", path=connection.scope.get("path"))
    if not isinstance(decision, Role) or not principal.may(decision):
        detail = f"requires the {decision} role" if isinstance(decision, Role) else "no access rule"
        if websocket:
            raise WebSocketException(detail=detail, code=WS_FORBIDDEN)
        raise PermissionDeniedException(detail=detail)

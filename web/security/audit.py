"""The audit trail: every state-changing request is recorded after it is answered, whatever the outcome."""

from datetime import UTC, datetime
from typing import Any

import structlog
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.security.principal import Principal
from app.storage.audit import AuditRecord, record_audit

AUDITED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DETAIL = "headwater_audit_detail"
_ACTOR = "headwater_audit_actor"

log = structlog.get_logger(__name__)


def note_audit(
    connection: ASGIConnection[Any, Any, Any, Any], detail: str, actor: Principal | None = None
) -> None:
    """Add a detail (and, e.g. for a login, the actor) to this request's audit entry."""
    connection.scope[_DETAIL] = detail  # type: ignore[literal-required]
    if actor is not None:
        connection.scope[_ACTOR] = actor  # type: ignore[literal-required]


class AuditMiddleware:
    """Records unsafe-method requests to routes (who, what, when, from where, status) in the database."""

    def __init__(self, app: ASGIApp, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, noting the response status, then write the entry."""
        if scope["type"] != "http" or scope["method"] not in AUDITED_METHODS:
            await self.app(scope, receive, send)
            return
        status = 500

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        except HTTPException as exc:  # raised by middleware (CSRF, rate limit): answered further out
            status = exc.status_code
            raise
        finally:
            await self._record(scope, status)

    async def _record(self, scope: Scope, status: int) -> None:
        record = audit_record(scope, status)
        try:
            async with self.sessions.begin() as session:
                await record_audit(session, record)
        except Exception as exc:  # the request is answered; a lost audit line must be loud, not fatal
            log.error("audit entry not written", record=record, error=repr(exc))


def audit_record(scope: Scope, status: int) -> AuditRecord:
    """The audit entry of one answered request."""
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
    actor = scope.get(_ACTOR) or scope.get("user")
    principal = actor if isinstance(actor, Principal) else None
    handler = scope.get("route_handler")
    params = scope.get("path_params") or {}
    operation = getattr(handler, "operation_id", None)
    return AuditRecord(
        occurred_at=datetime.now(UTC),
        method=scope["method"],
        route=scope.get("path_template") or scope["path"],
        status_code=status,
        user_id=principal.user_id if principal else None,
        user_name=principal.name if principal else None,
        token_label=principal.token_label if principal else None,
        action=operation if isinstance(operation, str) else getattr(handler, "handler_name", None),
        resource_id=",".join(f"{key}={value}" for key, value in sorted(params.items())) or None,
        client_ip=connection.client.host if connection.client else None,
        user_agent=connection.headers.get("user-agent"),
        detail=scope.get(_DETAIL),  # type: ignore[arg-type]
    )

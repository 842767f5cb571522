"""The audit log API (admins): who changed what, when, from where."""

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from app.storage.audit import list_audit
from schemas.auth import AuditEntry, AuditPage, Role
from web.security.access import requires
from web.services import DbSession


class AuditController(Controller):
    """Read the audit log."""

    path = "/api/v1/audit"
    tags = ["audit"]
    opt = requires(Role.ADMIN)

    @get("/", operation_id="ListAuditEntries")
    async def list_audit_entries(
        self,
        db_session: DbSession,
        user: Annotated[str | None, QueryParameter(min_length=1, max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,  # larger overflows the database
    ) -> AuditPage:
        """One page of audit entries, newest first, optionally one user's only."""
        rows, total = await list_audit(db_session, limit=limit, offset=offset, user_name=user)
        items = [
            AuditEntry(
                id=row.id,
                occurred_at=row.occurred_at,
                user_id=row.user_id,
                user=row.user_name,
                token_label=row.token_label,
                method=row.method,
                route=row.route,
                action=row.action,
                resource_id=row.resource_id,
                status_code=row.status_code,
                client_ip=row.client_ip,
                user_agent=row.user_agent,
                detail=row.detail,
            )
            for row in rows
        ]
        return AuditPage(items=items, total=total, limit=limit, offset=offset)

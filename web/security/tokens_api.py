"""API tokens (admins): create one for a user (its secret shown once), list them, revoke one."""

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.errors import NotFoundError
from app.security import accounts
from app.security.authentication import issue_token, revoke
from app.storage.tokens import CredentialKind, CredentialRow, get_credential, list_credentials
from schemas.auth import Role, TokenCreate, TokenCreated, TokenPage, TokenRead
from web.security.access import requires
from web.security.audit import note_audit
from web.services import Services


def token_fields(row: CredentialRow, user_name: str) -> dict[str, Any]:
    """The `TokenRead` fields of a credential row."""
    return {
        "id": row.id,
        "user": user_name,
        "label": row.label,
        "prefix": row.prefix,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
    }


class TokenController(Controller):
    """Issue, list and revoke API tokens."""

    path = "/api/v1/tokens"
    tags = ["tokens"]
    opt = requires(Role.ADMIN)

    @get("/", operation_id="ListTokens")
    async def list_tokens(
        self,
        services: Services,
        user: Annotated[str | None, QueryParameter(min_length=1, max_length=64)] = None,
    ) -> TokenPage:
        """Every API token (or one user's), newest first; never their secrets."""
        user_id = (await accounts.find_user(services.sessions, user)).id if user else None
        async with services.sessions() as session:
            rows = await list_credentials(session, CredentialKind.TOKEN, user_id=user_id)
        return TokenPage(items=[TokenRead(**token_fields(row, name)) for row, name in rows])

    @post("/", operation_id="CreateToken", status_code=HTTP_201_CREATED)
    async def create_token(
        self, data: JSONBody[TokenCreate], services: Services, request: Request[Any, Any, Any]
    ) -> TokenCreated:
        """A new token acting as `user` with that user's role; the secret is in this answer only."""
        lifetime = timedelta(days=data.expires_in_days) if data.expires_in_days else None
        issued = await issue_token(services.sessions, data.user, data.label, lifetime)
        note_audit(request, f"created token {issued.credential.prefix}… for {issued.user_name!r}")
        return TokenCreated(**token_fields(issued.credential, issued.user_name), token=issued.secret)

    @delete("/{token_id:uuid}", operation_id="RevokeToken", status_code=HTTP_204_NO_CONTENT)
    async def revoke_token(self, token_id: FromPath[UUID], services: Services) -> None:
        """Revoke a token at once; revoking it again changes nothing."""
        async with services.sessions() as session:
            found = await get_credential(session, token_id)
        if found is None or found[0].kind is not CredentialKind.TOKEN:
            raise NotFoundError("token not found")
        await revoke(services.sessions, token_id)

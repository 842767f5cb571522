"""One authentication path: `Authorization: Bearer <token>` (API clients) or the session cookie (browsers).

It never refuses a request itself: it puts the caller (a `Principal`, or None) in the scope and
the access guard decides, so public routes work without credentials.
"""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.security.authentication import authenticate
from app.storage.tokens import CredentialKind

SESSION_COOKIE = "headwater_session"


class AuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Resolves the bearer token or, without an Authorization header, the session cookie."""

    def __init__(self, app: ASGIApp, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(app, exclude_http_methods=())
        self.sessions = sessions

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """The caller, or None with the reason the credentials were refused."""
        header = connection.headers.get("authorization")
        if header is not None:
            # A header, even a bad one, means an API client: never fall back to a cookie.
            scheme, _, secret = header.strip().partition(" ")
            if scheme.lower() != "bearer":
                return AuthenticationResult(user=None, auth="use Authorization: Bearer <token>")
            principal = await authenticate(self.sessions, secret.strip(), CredentialKind.TOKEN)
            reason = None if principal else "invalid, expired or revoked token"
            return AuthenticationResult(user=principal, auth=reason)
        if cookie := connection.cookies.get(SESSION_COOKIE):
            principal = await authenticate(self.sessions, cookie, CredentialKind.SESSION)
            return AuthenticationResult(user=principal, auth=None if principal else "session expired")
        return AuthenticationResult(user=None, auth=None)

"""One authentication path: `Authorization: Bearer <token>` (API clients) or the session cookie (browsers).

It never refuses a request itself: it puts the caller (a `Principal`, or None) in the scope and
the access guard decides, so public routes work without credentials.
"""

from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
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
            if not same_origin_websocket(connection):
                # Browsers send cookies on WebSocket handshakes from any page, and CSRF tokens do
                # not apply there: a page of another origin must not follow runs as our user.
                return AuthenticationResult(user=None, auth="cross-origin WebSocket refused")
            principal = await authenticate(self.sessions, cookie, CredentialKind.SESSION)
            return AuthenticationResult(user=principal, auth=None if principal else "session expired")
        return AuthenticationResult(user=None, auth=None)


def same_origin_websocket(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """False for a WebSocket handshake whose `Origin` is not this site (host and port of `Host`).

    The Host header itself was checked against the allowed hosts. Clients that send no Origin are
    not browsers, so nothing ambient is being abused.
    """
    if connection.scope["type"] != ScopeType.WEBSOCKET:
        return True
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    host = connection.headers.get("host", "")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()

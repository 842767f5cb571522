"""CSRF protection for requests made with the session cookie (Litestar's double-submit check).

A browser attaches cookies to cross-site requests; it cannot attach our `X-CSRF-Token` header
or know the token. Requests with an `Authorization` header carry no ambient credential, so they
skip the check, as do unsafe requests without a session cookie (nothing to forge), except
routes marked `CSRF_ALWAYS` (the login form, against login CSRF).
"""

from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from web.security.authentication import SESSION_COOKIE

CSRF_COOKIE = "headwater_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "_csrf_token"  # Litestar's fixed name for the form field
CSRF_ALWAYS = "csrf_always"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_config(secret: str, *, secure: bool) -> CSRFConfig:
    """The double-submit cookie config; the cookie is readable by our pages' scripts on purpose."""
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER.lower(),
        cookie_secure=secure,
        cookie_httponly=False,
        cookie_samesite="strict",
    )


class CookieCsrfMiddleware:
    """Runs Litestar's CSRF middleware on browser (cookie) requests only."""

    def __init__(self, app: ASGIApp, config: CSRFConfig) -> None:
        self.app = app
        self.csrf = CSRFMiddleware(app, config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check (or, on safe requests, issue) the CSRF token when a cookie could be abused."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        if "authorization" in connection.headers:
            await self.app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        always = bool(getattr(handler, "opt", {}).get(CSRF_ALWAYS))
        if scope["method"] in SAFE_METHODS or SESSION_COOKIE in connection.cookies or always:
            try:
                await self.csrf(scope, receive, send)
            except PermissionDeniedException:
                await _close_uploads(scope)  # parsed to look for the token; the handler never will
                raise
            return
        await self.app(scope, receive, send)


async def _close_uploads(scope: Scope) -> None:
    form = ScopeState.from_scope(scope).form
    for values in form.values() if isinstance(form, dict) else ():
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, UploadFile):
                await value.close()


def csrf_token_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The CSRF token to put in this response's form or page (None for bearer-token requests)."""
    # Litestar keeps the token it just issued in its scope state (also how its templates get it).
    token = ScopeState.from_scope(connection.scope).csrf_token
    return token if isinstance(token, str) else connection.cookies.get(CSRF_COOKIE)

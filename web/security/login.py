"""Browser login and logout: a plain HTML form (no script), a session cookie, rate-limited attempts."""

from datetime import timedelta
from html import escape
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.params import QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER, HTTP_401_UNAUTHORIZED

from app.security.authentication import log_in, revoke
from schemas.auth import Role
from web.security.access import principal_of, public, requires
from web.security.audit import note_audit
from web.security.authentication import SESSION_COOKIE
from web.security.csrf import CSRF_ALWAYS, CSRF_FORM_FIELD, csrf_token_of
from web.services import Services

RATE_LIMITED = "rate_limited"
"""`opt` key of routes counted against the per-client login rate limit."""
AFTER_LOGIN = "/api/docs"
MAX_FIELD_CHARS = 1024


class LoginController(Controller):
    """The login page, logging in, and logging out."""

    include_in_schema = False

    @get("/login", opt=public(), media_type=MediaType.HTML)
    async def show_login(
        self,
        request: Request[Any, Any, Any],
        next_: Annotated[str | None, QueryParameter(name="next", max_length=2048)] = None,
    ) -> Response[str]:
        """The login form."""
        return login_page(request, next_, status_code=HTTP_200_OK)

    @post("/login", opt={**public(), CSRF_ALWAYS: True, RATE_LIMITED: True}, media_type=MediaType.HTML)
    async def log_in(self, request: Request[Any, Any, Any], services: Services) -> Response[Any]:
        """Check the name and password; on success set the session cookie and go on."""
        form = await request.form()
        name = str(form.get("username") or "")[:MAX_FIELD_CHARS]
        password = str(form.get("password") or "")[:MAX_FIELD_CHARS]
        target = str(form.get("next") or "")
        settings = services.settings
        max_age = timedelta(hours=settings.session_max_age_hours)
        issued = await log_in(services.sessions, name, password, max_age)
        if issued is None:
            note_audit(request, f"failed login as {name[:64]!r}")
            return login_page(request, target, status_code=HTTP_401_UNAUTHORIZED, error=True)
        note_audit(request, f"logged in as {issued.user_name!r}", issued.principal)
        secure = settings.session_cookie_secure
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=issued.secret,
            max_age=int(max_age.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",  # "strict" would drop the cookie when following a link to the dashboard
            secure=request.url.scheme == "https" if secure is None else secure,
        )
        return Redirect(safe_next(target), status_code=HTTP_303_SEE_OTHER, cookies=[cookie])

    @post("/logout", opt=requires(Role.VIEWER), status_code=HTTP_303_SEE_OTHER)
    async def log_out(self, request: Request[Any, Any, Any], services: Services) -> Redirect:
        """End this browser session and forget its cookie."""
        principal = principal_of(request)
        if principal is not None and principal.via == "session":
            await revoke(services.sessions, principal.credential_id)
        response = Redirect("/login", status_code=HTTP_303_SEE_OTHER)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (never `//evil.example`)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and len(target) < 2048:
        return target
    return AFTER_LOGIN


def login_page(
    request: Request[Any, Any, Any], target: str | None, *, status_code: int, error: bool = False
) -> Response[str]:
    """The login form; every value that came from the client is HTML-escaped."""
    token = escape(csrf_token_of(request) or "")
    message = '<p role="alert">Wrong name or password.</p>' if error else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Log in · Headwater</title></head>
<body><main><h1>Headwater</h1>{message}
<form method="post" action="/login">
<input type="hidden" name="{CSRF_FORM_FIELD}" value="{token}">
<input type="hidden" name="next" value="{escape(safe_next(target))}">
<p><label>Name <input name="username" autocomplete="username" required maxlength="64"></label></p>
<p><label>Password
<input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button></p>
</form></main></body></html>"""
    return Response(
        page, media_type=MediaType.HTML, status_code=status_code, headers={"Cache-Control": "no-store"}
    )

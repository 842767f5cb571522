"""Browser login and logout: a plain HTML form (no script), a session cookie, rate-limited attempts."""

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER, HTTP_401_UNAUTHORIZED

from app.security.authentication import log_in, revoke
from schemas.auth import Role
from web.security.access import principal_of, public, requires
from web.security.audit import note_audit
from web.security.authentication import SESSION_COOKIE
from web.security.csrf import CSRF_ALWAYS, csrf_token_of
from web.services import Services

RATE_LIMITED = "rate_limited"
"""`opt` key of routes counted against the per-client login rate limit."""
AFTER_LOGIN = "/"
MAX_FIELD_CHARS = 1024


class LoginController(Controller):
    """The login page, logging in, and logging out."""

    include_in_schema = False

    @get("/login", opt=public(), media_type=MediaType.HTML)
    async def show_login(
        self,
        request: Request[Any, Any, Any],
        next_: Annotated[str | None, QueryParameter(name="next", max_length=2048)] = None,
    ) -> Template:
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
) -> Template:
    """The login form (web/templates/login.html; every value autoescaped), never cached."""
    context = {"csrf_token": csrf_token_of(request) or "", "next": safe_next(target), "error": error}
    return Template(
        template_name="login.html",
        context=context,
        status_code=status_code,
        media_type=MediaType.HTML,
        headers={"Cache-Control": "no-store"},
    )

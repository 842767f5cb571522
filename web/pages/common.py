"""What every dashboard page shares: the template engine, the base context, and how refusals look.

A page handler returns `page(request, "area/name.html", **context)`; the base context gives every
template the caller (`user`), `may("operator")`, the CSRF token, the navigation and a few filters.
Anonymous browsers are sent to `/login?next=<path>` instead of getting a 401 body.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_401_UNAUTHORIZED, HTTP_403_FORBIDDEN
from litestar.template.config import TemplateConfig
from litestar.types import ExceptionHandlersMap

from app.errors import HeadwaterError
from schemas.auth import Role
from web.errors import domain_error_to_http
from web.security.access import principal_of
from web.security.csrf import csrf_token_of

WEB_DIR = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
NO_STORE = {"Cache-Control": "no-store"}
"""Pages show live state and who is logged in: never cache them."""

NAV: tuple[tuple[str, str, Role], ...] = (
    ("Overview", "/", Role.VIEWER),
    ("Tasks", "/tasks", Role.VIEWER),
    ("Runs", "/runs", Role.VIEWER),
    ("Documents", "/documents", Role.VIEWER),
    ("Datasets", "/datasets", Role.VIEWER),
    ("Dead letters", "/dead-letters", Role.VIEWER),
    ("Admin", "/admin", Role.ADMIN),
)
"""The header's navigation: label, link, least role that sees it."""


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 templates from web/templates (autoescaped), with the dashboard's filters."""
    return TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=_add_filters)


def _add_filters(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters.update(when=format_when, duration=format_duration)


def page(request: Request[Any, Any, Any], template_name: str, /, **context: Any) -> Template:
    """Render a dashboard page (or fragment) with the base context and no caching."""
    return Template(
        template_name=template_name, context={**base_context(request), **context}, headers=NO_STORE
    )


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """`user`, `may(role)`, `csrf_token`, `nav` (with `current`) and `path`, for every template."""
    principal = principal_of(request)
    path = request.url.path

    def may(role: str | Role) -> bool:
        return principal is not None and principal.may(Role(role))

    nav = [
        {"label": label, "href": href, "current": is_current(path, href)}
        for label, href, role in NAV
        if may(role)
    ]
    return {
        "user": principal,
        "may": may,
        "csrf_token": csrf_token_of(request) or "",
        "nav": nav,
        "path": path,
    }


def is_current(path: str, href: str) -> bool:
    """Whether the navigation link `href` is the section of `path`."""
    return path == href if href == "/" else path == href or path.startswith(f"{href}/")


def format_when(value: datetime | None) -> str:
    """A timestamp as people read it, in UTC: "2025-03-14 09:26 UTC" (or "—")."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_duration(start: datetime | None, end: datetime | None = None) -> str:
    """How long from `start` to `end` (or now): "42 s", "3 min 5 s", "2 h 10 min" (or "—")."""
    if start is None:
        return "—"
    seconds = max(0, int(((end or datetime.now(UTC)) - start).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def login_redirect(request: Request[Any, Any, Any], _exc: NotAuthorizedException) -> Response[Any]:
    """Anonymous (or expired) browsers go to the login form and come back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target, safe='/')}"
    if request.headers.get("hx-request"):  # an htmx fragment: reload the whole page at the login form
        return Response("", status_code=HTTP_401_UNAUTHORIZED, headers={"HX-Redirect": location, **NO_STORE})
    return Redirect(location, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


def forbidden_page(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    """A logged-in user without the role: a page saying so (the status stays 403)."""
    return error_page(request, HTTP_403_FORBIDDEN, "Not allowed", str(exc.detail))


def domain_error_page(request: Request[Any, Any, Any], exc: HeadwaterError) -> Response[Any]:
    """A domain error (e.g. an unknown run) as a page with the API's status code and message."""
    http = domain_error_to_http(exc)
    return error_page(request, http.status_code, "Not available", str(http.detail))


def error_page(request: Request[Any, Any, Any], status_code: int, title: str, detail: str) -> Response[Any]:
    """The error template; an htmx fragment request gets the message alone."""
    if request.headers.get("hx-request"):
        return Response(detail, status_code=status_code, media_type=MediaType.TEXT, headers=NO_STORE)
    context = {**base_context(request), "title": title, "detail": detail, "status_code": status_code}
    return Template(template_name="error.html", context=context, status_code=status_code, headers=NO_STORE)


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotAuthorizedException: login_redirect,
    PermissionDeniedException: forbidden_page,
    HeadwaterError: domain_error_page,
}
"""Exception handlers of every page route: HTML answers instead of the API's JSON."""

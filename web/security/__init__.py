"""The web app's security layer, assembled from Litestar's parts and a little glue.

Hosts (`AllowedHostsConfig`) -> audit -> login rate limit (`RateLimitConfig`) -> authentication
(bearer token or session cookie) -> CSRF for cookie requests (`CSRFConfig`) -> the access guard
reading each route's declared role -> the handler. Security headers go on every response.
"""

from dataclasses import dataclass, field
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.types import BeforeMessageSendHookHandler, ControllerRouterHandler, Guard

from app.security.secrets import resolve_secret_key
from web.security.access import ACCESS, PUBLIC, enforce_access, public, requires
from web.security.audit import AuditMiddleware
from web.security.audit_api import AuditController
from web.security.authentication import AuthenticationMiddleware
from web.security.csrf import CookieCsrfMiddleware, csrf_config
from web.security.headers import add_security_headers
from web.security.hosts import AnyPortAllowedHostsMiddleware, allowed_hosts_config
from web.security.login import RATE_LIMITED, LoginController
from web.security.tokens_api import TokenController
from web.security.users_api import SessionController, UserController
from web.services import WebServices

__all__ = ["ACCESS", "PUBLIC", "SecurityLayer", "public", "requires", "security_layer"]


@dataclass(frozen=True)
class SecurityLayer:
    """What `create_app` adds to the Litestar app to secure it."""

    route_handlers: list[ControllerRouterHandler] = field(default_factory=list)
    middleware: list[DefineMiddleware] = field(default_factory=list)
    guards: list[Guard] = field(default_factory=list)
    before_send: list[BeforeMessageSendHookHandler] = field(default_factory=list)
    csrf: CSRFConfig | None = None


def security_layer(services: WebServices) -> SecurityLayer:
    """The security layer for an app over `services` (a missing secret key resolves as at start-up)."""
    settings = services.settings
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    secret = resolve_secret_key(
        configured, http_host=settings.http_host, data_dir=settings.data_dir, dev_mode=settings.dev_mode
    )
    csrf = csrf_config(secret, secure=bool(settings.session_cookie_secure))
    rate_limit = RateLimitConfig(
        rate_limit=("minute", settings.login_attempts_per_minute),
        check_throttle_handler=_is_rate_limited,
    )
    return SecurityLayer(
        route_handlers=[LoginController, SessionController, UserController, TokenController, AuditController],
        middleware=[
            DefineMiddleware(
                AnyPortAllowedHostsMiddleware, config=allowed_hosts_config(settings.allowed_hosts)
            ),
            DefineMiddleware(AuditMiddleware, sessions=services.sessions),
            rate_limit.middleware,
            DefineMiddleware(AuthenticationMiddleware, sessions=services.sessions),
            DefineMiddleware(CookieCsrfMiddleware, config=csrf),
        ],
        guards=[enforce_access],
        before_send=[add_security_headers],
        csrf=csrf,
    )


def _is_rate_limited(request: Any) -> bool:
    return bool(request.route_handler.opt.get(RATE_LIMITED))

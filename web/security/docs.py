"""API docs that work under a strict Content-Security-Policy: Swagger UI with no inline script.

Litestar's Swagger page initialises itself in an inline `<script>`; ours loads that code from
`/api/docs/swagger-init.js` instead, and the docs routes get a CSP that allows the Swagger UI
files from their CDN. The docs need a viewer login: the schema maps every route and parameter.
"""

from html import escape
from typing import Any

from litestar import Request, Router, get
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin

from schemas.auth import Role
from web.security.access import requires
from web.security.csrf import CSRF_COOKIE, CSRF_HEADER
from web.security.headers import CSP

DOCS_PATH = "/api/docs"
CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' {CDN}; style-src 'self' 'unsafe-inline' {CDN}; "
    f"img-src 'self' data: {CDN}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
# Adds the double-submit CSRF header to "Try it out" requests made with the session cookie.
_INIT_SCRIPT = """window.addEventListener("load", function () {
  var match = document.cookie.match(/(?:^|;\\s*)%(cookie)s=([^;]*)/);
  window.ui = SwaggerUIBundle({
    url: "%(spec)s",
    dom_id: "#swagger-container",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    requestInterceptor: function (request) {
      if (match) { request.headers["%(header)s"] = decodeURIComponent(match[1]); }
      return request;
    }
  });
});
"""


class StrictSwaggerRenderPlugin(SwaggerRenderPlugin):
    """Swagger UI whose page has no inline script (see the module docstring)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The Swagger UI page: external scripts only."""
        title = escape(str(openapi_schema["info"]["title"]))
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link href="{escape(self.css_url)}" rel="stylesheet">
<script src="{escape(self.js_url)}" crossorigin></script>
<script src="{escape(self.standalone_preset_js_url)}" crossorigin></script>
<script src="{DOCS_PATH}/swagger-init.js"></script>
</head><body><div id="swagger-container"></div></body></html>""".encode()

    def receive_router(self, router: Router) -> None:
        """Serve the page's initialisation script beside it."""

        @get("/swagger-init.js", media_type="text/javascript", sync_to_thread=False, include_in_schema=False)
        def swagger_init() -> str:
            return _INIT_SCRIPT % {
                "spec": f"{DOCS_PATH}/openapi.json",
                "cookie": CSRF_COOKIE,
                "header": CSRF_HEADER,
            }

        router.register(swagger_init)


def docs_router() -> Router:
    """The router Litestar fills with the docs routes: viewers only, with the docs' CSP."""
    return Router(
        DOCS_PATH, route_handlers=[], include_in_schema=False, opt={**requires(Role.VIEWER), CSP: DOCS_CSP}
    )


def docs_render_plugins() -> list[SwaggerRenderPlugin | JsonRenderPlugin]:
    """Swagger UI at /api/docs and /api/docs/swagger, the schema at /api/docs/openapi.json."""
    return [StrictSwaggerRenderPlugin(path=["/", "/swagger"]), JsonRenderPlugin()]

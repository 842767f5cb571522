"""The web app factory: controllers, dependencies, error mapping, upload limit and OpenAPI docs."""

from importlib.metadata import PackageNotFoundError, version

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin

from app.errors import HeadwaterError
from web.controllers import DeadLetterController, DocumentController, HealthController
from web.errors import handle_domain_error, log_unexpected_error
from web.services import WebServices


def create_app(services: WebServices) -> Litestar:
    """A Litestar app serving Headwater's HTTP API over `services`."""
    return Litestar(
        route_handlers=[DocumentController, DeadLetterController, HealthController],
        dependencies=services.dependencies(),
        exception_handlers={HeadwaterError: handle_domain_error},
        after_exception=[log_unexpected_error],
        # Over the limit Litestar answers 413 while streaming, before the body is all read.
        request_max_body_size=services.settings.max_upload_bytes,
        openapi_config=openapi_config(),
        # Logging is configured once by the entrypoint; Litestar's default would reconfigure it.
        logging_config=None,
    )


def openapi_config() -> OpenAPIConfig:
    """Docs at /api/docs (Swagger UI), /api/docs/redoc and the schema at /api/docs/openapi.json."""
    return OpenAPIConfig(
        title="Headwater",
        version=_package_version(),
        description="Upload PDFs, follow them through the pipeline, read their text and tables.",
        path="/api/docs",
        use_handler_docstrings=True,
        render_plugins=[SwaggerRenderPlugin(path=["/", "/swagger"]), RedocRenderPlugin(), JsonRenderPlugin()],
    )


def _package_version() -> str:
    try:
        return version("headwater")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"

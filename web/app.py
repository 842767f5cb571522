"""The web app factory: controllers, dependencies, error mapping, upload limit and OpenAPI docs."""

from importlib.metadata import PackageNotFoundError, version

from litestar import Litestar
from litestar.openapi import OpenAPIConfig

from app.errors import HeadwaterError
from web.controllers import (
    DatasetController,
    DatasetSeriesController,
    DeadLetterController,
    DocumentController,
    DocumentLabelController,
    HealthController,
    ModelController,
    RunController,
    ScheduleController,
    SourceController,
    StatsController,
    TaskController,
    progress_socket,
)
from web.errors import handle_domain_error, log_unexpected_error
from web.pages import dashboard, template_config
from web.security import security_layer
from web.security.docs import DOCS_PATH, docs_render_plugins, docs_router
from web.services import WebServices


def create_app(services: WebServices) -> Litestar:
    """A Litestar app serving Headwater's HTTP API over `services`, every route guarded (web/security)."""
    security = security_layer(services)
    return Litestar(
        route_handlers=[
            DocumentController,
            DeadLetterController,
            HealthController,
            TaskController,
            RunController,
            ScheduleController,
            DocumentLabelController,
            DatasetController,
            DatasetSeriesController,
            ModelController,
            SourceController,
            StatsController,
            progress_socket,
            *security.route_handlers,
            *dashboard(),
        ],
        template_config=template_config(),
        lifespan=list(services.lifespan),
        dependencies=services.dependencies(),
        exception_handlers={HeadwaterError: handle_domain_error},
        after_exception=[log_unexpected_error],
        # Over the limit Litestar answers 413 while streaming, before the body is all read.
        request_max_body_size=services.settings.max_upload_bytes,
        openapi_config=openapi_config(),
        guards=security.guards,
        middleware=security.middleware,
        before_send=security.before_send,
        # Logging is configured once by the entrypoint; Litestar's default would reconfigure it.
        logging_config=None,
    )


def openapi_config() -> OpenAPIConfig:
    """Docs at /api/docs (Swagger UI, viewers only) and the schema at /api/docs/openapi.json."""
    return OpenAPIConfig(
        title="Headwater",
        version=_package_version(),
        description="Upload PDFs, follow them through the pipeline, read their text and tables.",
        path=DOCS_PATH,
        openapi_router=docs_router(),
        use_handler_docstrings=True,
        render_plugins=docs_render_plugins(),
    )


def _package_version() -> str:
    try:
        return version("headwater")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"

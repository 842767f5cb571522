"""The one place domain errors become HTTP responses; Litestar's own errors (e.g. 400s) pass untouched."""

from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.exceptions.responses import create_exception_response
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import Scope

from app.errors import (
    ConflictError,
    HeadwaterError,
    InvalidRequestError,
    NotFoundError,
    PermanentError,
    TransientError,
)

log = structlog.get_logger(__name__)


def domain_error_to_http(exc: HeadwaterError) -> HTTPException:
    """The HTTP error a domain error means to a client."""
    if isinstance(exc, NotFoundError):
        return HTTPException(status_code=HTTP_404_NOT_FOUND, detail=str(exc) or "Not Found")
    if isinstance(exc, ConflictError):
        return HTTPException(status_code=HTTP_409_CONFLICT, detail=str(exc))
    if isinstance(exc, InvalidRequestError):
        return HTTPException(status_code=HTTP_400_BAD_REQUEST, detail=str(exc))
    if isinstance(exc, PermanentError):
        return HTTPException(
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
            detail=exc.reason,
            extra={"reason_code": str(exc.reason_code)},
        )
    if isinstance(exc, TransientError):
        # Nothing is wrong with the request: the client may simply try again shortly.
        return HTTPException(
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            detail="temporarily unavailable, try again",
            headers={"Retry-After": "5"},
        )
    return HTTPException(status_code=HTTP_500_INTERNAL_SERVER_ERROR)


def handle_domain_error(request: Request[Any, Any, Any], exc: HeadwaterError) -> Response[Any]:
    """Answer a domain error in Litestar's usual error shape (`status_code`, `detail`, `extra`)."""
    return create_exception_response(request, domain_error_to_http(exc))


async def log_unexpected_error(exc: Exception, scope: Scope) -> None:
    """Log errors nobody meant to raise (logging itself is configured by the entrypoint)."""
    if isinstance(exc, NotFoundError | PermanentError | ConflictError | InvalidRequestError):
        return
    if isinstance(exc, HTTPException) and exc.status_code < HTTP_500_INTERNAL_SERVER_ERROR:
        return  # the client's mistake (400, 404, 413...), answered as such
    log.error("request failed", path=scope.get("path"), method=scope.get("method"), exc_info=exc)

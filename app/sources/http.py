"""HTTP(S) sources: conditional downloads into the blob store and index pages, with a size cap and timeout.

A failed request raises `FetchFailed` with a sentence a person reads ("... answered HTTP 404 Not
Found"); retrying is the next Fetch New Data run's job, so there are no retries here.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from app.blobs import BlobStore, StoredBlob
from app.errors import HeadwaterError
from app.sources.changes import ItemState, conditional_headers

MAX_INDEX_BYTES = 5 * 1024 * 1024


class FetchFailed(HeadwaterError):
    """One item (or an index page) could not be fetched; the message says why."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How large a fetched file may be, and how long the server may stay silent."""

    max_bytes: int
    timeout_seconds: float


@dataclass(frozen=True, slots=True)
class Download:
    """The answer to a conditional GET: the stored bytes, or None when the server said 304."""

    blob: StoredBlob | None
    etag: str | None
    last_modified: str | None


def _too_large(url: str, size: int, limits: FetchLimits) -> FetchFailed:
    return FetchFailed(
        f"{url} is {size} bytes, over the {limits.max_bytes} byte limit (HEADWATER_MAX_UPLOAD_BYTES)."
    )


async def _capped(response: httpx.Response, url: str, limits: FetchLimits) -> AsyncIterator[bytes]:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_large(url, int(declared), limits)
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > limits.max_bytes:
            raise _too_large(url, received, limits)
        yield chunk


def _refusal(url: str, response: httpx.Response) -> FetchFailed:
    return FetchFailed(
        f"{url} answered HTTP {response.status_code} {response.reason_phrase}.".replace(" .", ".")
    )


def _failure(url: str, exc: Exception, limits: FetchLimits) -> FetchFailed:
    if isinstance(exc, httpx.TimeoutException):
        return FetchFailed(
            f"{url} did not answer within {limits.timeout_seconds:g} s (HEADWATER_FETCH_TIMEOUT_SECONDS)."
        )
    return FetchFailed(f"{url} could not be fetched: {type(exc).__name__}: {exc}")


async def download(
    http: httpx.AsyncClient, url: str, state: ItemState | None, blobs: BlobStore, limits: FetchLimits
) -> Download:
    """GET `url` unless it is unchanged since `state` (304); the bytes go straight to the blob store."""
    try:
        async with http.stream(
            "GET",
            url,
            headers=conditional_headers(state),
            follow_redirects=True,
            timeout=limits.timeout_seconds,
        ) as response:
            if response.status_code == httpx.codes.NOT_MODIFIED and state is not None:
                return Download(None, state.etag, state.last_modified)
            if response.status_code != httpx.codes.OK:
                raise _refusal(url, response)
            blob = await blobs.put_stream(_capped(response, url, limits))
            return Download(blob, response.headers.get("etag"), response.headers.get("last-modified"))
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _failure(url, exc, limits) from exc


async def fetch_page(http: httpx.AsyncClient, url: str, limits: FetchLimits) -> tuple[str, str, str | None]:
    """An index page: (its text, its final URL after redirects, its media type)."""
    cap = FetchLimits(min(limits.max_bytes, MAX_INDEX_BYTES), limits.timeout_seconds)
    try:
        async with http.stream("GET", url, follow_redirects=True, timeout=limits.timeout_seconds) as response:
            if response.status_code != httpx.codes.OK:
                raise _refusal(url, response)
            body = b"".join([chunk async for chunk in _capped(response, url, cap)])
            text = body.decode(response.encoding or "utf-8", errors="replace")
            return text, str(response.url), response.headers.get("content-type")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _failure(url, exc, limits) from exc

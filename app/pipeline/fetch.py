"""Download a document named by URL straight into the blob store, with a size cap and bounded retries."""

from collections.abc import AsyncIterator

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from app.blobs import BlobStore, StoredBlob
from app.errors import PermanentError, TransientError
from schemas.dead_letters import DeadLetterReason


async def _capped(response: httpx.Response, max_bytes: int, url: str) -> AsyncIterator[bytes]:
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise PermanentError(
                DeadLetterReason.TOO_LARGE, f"{url} is larger than the {max_bytes} byte limit."
            )
        yield chunk


async def _fetch_once(http: httpx.AsyncClient, url: str, blobs: BlobStore, max_bytes: int) -> StoredBlob:
    try:
        async with http.stream("GET", url, follow_redirects=True) as response:
            if response.status_code >= 500:
                raise TransientError(f"{url} answered HTTP {response.status_code}")
            if response.status_code >= 400:
                raise PermanentError(
                    DeadLetterReason.FETCH_FAILED, f"{url} answered HTTP {response.status_code}."
                )
            return await blobs.put_stream(_capped(response, max_bytes, url))
    except httpx.TransportError as exc:
        raise TransientError(f"{url} could not be fetched: {exc!r}") from exc


async def fetch_to_blob(
    http: httpx.AsyncClient, url: str, blobs: BlobStore, max_bytes: int, attempts: int = 3
) -> StoredBlob:
    """Fetch `url` into the store; after `attempts` transient failures the URL is a dead letter."""
    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=0.5, max=5),
            reraise=True,
        ):
            with attempt:
                return await _fetch_once(http, url, blobs, max_bytes)
    except TransientError as exc:
        raise PermanentError(
            DeadLetterReason.FETCH_FAILED, f"Gave up after {attempts} attempts: {exc}"
        ) from exc
    raise AssertionError("unreachable: AsyncRetrying either returns or raises")

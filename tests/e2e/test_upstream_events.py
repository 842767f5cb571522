"""Upstream systems publish to ingest.documents with any Kafka client (here librdkafka).

The tests share one running Headwater per database; each looks only at its own documents and dead letters.
"""

import asyncio
import base64
import functools
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Producer

from tests.e2e.harness import Service

pytestmark = [pytest.mark.broker]


def publish(bootstrap: str, topic: str, payload: bytes) -> None:
    """Publish one raw message the way a non-Python upstream system would."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": False})
    producer.produce(topic, payload)
    assert producer.flush(10) == 0


@pytest.fixture
def pdf_server(corpus: Path) -> Iterator[str]:
    """A local HTTP server serving the corpus, as an upstream file host would."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(corpus))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def wait_for_dead_letters(
    service: Service, reason_code: str, count: int, timeout: float = 60
) -> list[dict]:
    """Wait until `count` dead letters with this reason are recorded."""
    async with asyncio.timeout(timeout):
        while True:
            page = await service.client.get("/api/v1/dead-letters", params={"limit": 500})
            items = [item for item in page.json()["items"] if item["reason_code"] == reason_code]
            if len(items) >= count:
                return items
            await asyncio.sleep(0.2)


def doc_id_of(path: Path) -> str:
    """A document's id: the sha256 of its bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_an_event_with_base64_content_is_processed(shared_service: Service, corpus: Path) -> None:
    content = base64.b64encode((corpus / "pypdf/crazyones.pdf").read_bytes()).decode()
    event = {"content": content, "filename": "crazyones.pdf", "source": "scanner-7"}

    publish(
        shared_service.settings.kafka_bootstrap_servers,
        shared_service.core.topics.ingest_documents,
        json.dumps(event).encode(),
    )

    doc_id = doc_id_of(corpus / "pypdf/crazyones.pdf")
    document = (await shared_service.wait_until_final([doc_id]))[doc_id]
    assert document["status"] == "stored"
    assert document["source"] == "scanner-7"
    assert "Heres to the crazy ones" in document["pages"][0]["text"]


async def test_an_event_with_a_url_is_fetched_and_processed(
    shared_service: Service, pdf_server: str, corpus: Path
) -> None:
    event = {"url": f"{pdf_server}/pdfplumber/scotus-transcript-p1.pdf", "filename": "scotus.pdf"}

    publish(
        shared_service.settings.kafka_bootstrap_servers,
        shared_service.core.topics.ingest_documents,
        json.dumps(event).encode(),
    )

    doc_id = doc_id_of(corpus / "pdfplumber/scotus-transcript-p1.pdf")
    document = (await shared_service.wait_until_final([doc_id]))[doc_id]
    assert document["status"] == "stored"
    assert document["filename"] == "scotus.pdf"


async def test_a_url_that_answers_404_is_a_dead_letter(shared_service: Service, pdf_server: str) -> None:
    event = {"url": f"{pdf_server}/no-such-file.pdf"}

    publish(
        shared_service.settings.kafka_bootstrap_servers,
        shared_service.core.topics.ingest_documents,
        json.dumps(event).encode(),
    )

    [letter] = await wait_for_dead_letters(shared_service, "fetch_failed", 1)
    assert "404" in letter["reason"]


async def test_malformed_events_are_dead_letters_and_do_not_stop_the_stage(
    shared_service: Service, corpus: Path
) -> None:
    bootstrap = shared_service.settings.kafka_bootstrap_servers
    topic = shared_service.core.topics.ingest_documents
    publish(bootstrap, topic, b"\xff\xfe not json at all")
    publish(bootstrap, topic, json.dumps({"content": "AAAA", "url": "http://x/y.pdf"}).encode())
    publish(bootstrap, topic, json.dumps({"unexpected": "field"}).encode())
    good = await shared_service.upload(corpus / "pdfplumber/hello_structure.pdf")

    letters = await wait_for_dead_letters(shared_service, "invalid_event", 3)
    assert all("schema" in letter["reason"] for letter in letters)
    assert (await shared_service.wait_until_final([good]))[good]["status"] == "stored"

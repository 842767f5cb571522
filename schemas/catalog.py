"""The event catalogue: which schema travels on which topic, rendered as Markdown for docs/EVENTS.md."""

import inspect
import json

from pydantic import BaseModel

from schemas.control import ControlMessage
from schemas.dead_letters import DeadLettered
from schemas.documents import (
    DocumentCleaned,
    DocumentExtracted,
    DocumentScored,
    DocumentStored,
    DocumentSubmitted,
)
from schemas.extraction import ExtractionResult
from schemas.progress import DocumentProgressed, RunProgressed
from schemas.records import RecordsScored, RecordsSubmitted, RecordsValidated
from schemas.topics import Topics


def topic_schemas(topics: Topics) -> list[tuple[str, type[BaseModel], str]]:
    """(topic, schema, who publishes it) for every topic."""
    return [
        (topics.ingest_documents, DocumentSubmitted, "upstream systems, uploads, the CLI, fetchers"),
        (topics.documents_cleaned, DocumentCleaned, "the clean stage"),
        (topics.documents_extracted, DocumentExtracted, "the extract stage"),
        (topics.documents_scored, DocumentScored, "the score stage"),
        (topics.documents_stored, DocumentStored, "the store stage"),
        (topics.ingest_records, RecordsSubmitted, "upstream systems and the records API"),
        (topics.records_valid, RecordsValidated, "the validate-records stage"),
        (topics.records_scored, RecordsScored, "the score-records stage"),
        (topics.dead_letters, DeadLettered, "every stage, when it gives up on an input"),
        (topics.documents_progressed, DocumentProgressed, "every stage, for each document of a run"),
        (topics.progress, RunProgressed, "the progress aggregator, and the API when a run starts or stops"),
        (topics.control, ControlMessage, "the API (later the scheduler); consumed by every worker"),
    ]


def render_markdown(topics: Topics | None = None) -> str:
    """The whole catalogue: one section per topic with its JSON Schema."""
    topics = topics or Topics()
    lines = [
        "# Events",
        "",
        "Generated from `schemas/` by `headwater events-doc`; do not edit by hand.",
        "Every message is a JSON object (UTF-8). Unknown fields are rejected, and a message",
        "that does not match its schema becomes a dead letter with the reason.",
        "Topic names carry the namespace prefix (`HEADWATER_TOPIC_NAMESPACE`, default `headwater`).",
        "",
    ]
    for topic, model, publisher in topic_schemas(topics):
        lines += [
            f"## `{topic}`",
            "",
            f"`{model.__name__}`, published by {publisher}. {inspect.cleandoc(model.__doc__ or '')}",
            "",
            "```json",
            json.dumps(model.model_json_schema(), indent=2, sort_keys=True),
            "```",
            "",
        ]
    lines += [
        "## Extraction result blob",
        "",
        "Not a topic: the extract stage writes this JSON to the blob store and sends its sha256",
        "(`result_sha256`) in `DocumentExtracted`, so messages stay small (claim check).",
        "",
        "```json",
        json.dumps(ExtractionResult.model_json_schema(), indent=2, sort_keys=True),
        "```",
        "",
    ]
    return "\n".join(lines)

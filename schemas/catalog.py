"""The event catalogue: which schema travels on which topic, rendered as Markdown for docs/EVENTS.md."""

import inspect
import json

from pydantic import BaseModel

from schemas.dead_letters import DeadLettered
from schemas.documents import DocumentCleaned, DocumentExtracted, DocumentStored, DocumentSubmitted
from schemas.extraction import ExtractionResult
from schemas.topics import Topics


def topic_schemas(topics: Topics) -> list[tuple[str, type[BaseModel], str]]:
    """(topic, schema, who publishes it) for every topic."""
    return [
        (topics.ingest_documents, DocumentSubmitted, "upstream systems, uploads, the CLI, fetchers"),
        (topics.documents_cleaned, DocumentCleaned, "the clean stage"),
        (topics.documents_extracted, DocumentExtracted, "the extract stage"),
        (topics.documents_stored, DocumentStored, "the store stage"),
        (topics.dead_letters, DeadLettered, "every stage, when it gives up on an input"),
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

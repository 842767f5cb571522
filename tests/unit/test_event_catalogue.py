"""The documented event schemas are the ones in the code."""

from pathlib import Path

from schemas.catalog import render_markdown, topic_schemas
from schemas.topics import Topics

EVENTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "EVENTS.md"


def test_docs_events_md_matches_the_schemas_in_code() -> None:
    assert EVENTS_DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/EVENTS.md is stale: run `headwater events-doc`"
    )


def test_every_topic_documents_its_schema_with_a_json_schema_block() -> None:
    doc = render_markdown()
    for topic in ("headwater.ingest.documents", "headwater.documents.cleaned", "headwater.dead-letters"):
        assert f"## `{topic}`" in doc
    assert doc.count("```json") == len(topic_schemas(Topics())) + 1  # and the extraction result blob


def test_every_topic_is_in_the_catalogue_once() -> None:
    documented = [topic for topic, _, _ in topic_schemas(Topics())]
    assert sorted(documented) == sorted(Topics().all())

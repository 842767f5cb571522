"""The score stage's work and what it leaves in the database; labels, training data, and the reconciler."""

import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.blobs import BlobStore
from app.errors import ConflictError, NotFoundError
from app.ml.training import AnomalySpec, ClassifierSpec, TopicsSpec
from app.pipeline.clean import register
from app.pipeline.context import Pipeline
from app.pipeline.score import score_document
from app.pipeline.store import store_document
from app.registry.cache import ActiveModels
from app.registry.training import Trainer
from app.runs.gate import RunGate
from app.settings import Settings
from app.storage.content import store_extraction
from app.storage.documents import record_cleaned, record_extracted
from app.storage.engine import create_sessionmaker
from app.storage.predictions import get_label, get_predictions, set_label, stored_document_pages
from app.storage.records import put_dataset_schema
from app.storage.stages import get_stage, mark_stage_done
from producers.reconcile import republish_unfinished
from schemas.documents import DocumentExtracted, DocumentSubmitted, Stage
from schemas.models import ModelKind, TrainModel
from schemas.records import ColumnSpec, ColumnType, DatasetSchema
from schemas.topics import Topics
from tests.storage.samples import extraction, registered
from tests.storage.trained import activate, classifier_model
from tests.unit.ml.generated import text_about


@pytest.fixture
def pipeline(engine: AsyncEngine, tmp_path: Path) -> Pipeline:
    """What the score and store stages use, on a migrated database and a blob store."""
    sessions = create_sessionmaker(engine)
    blobs = BlobStore(tmp_path / "blobs")
    return Pipeline(
        settings=Settings(data_dir=tmp_path, topic_namespace="scoretest"),
        sessions=sessions,
        blobs=blobs,
        topics=Topics("scoretest"),
        extractor=None,  # type: ignore[arg-type]  # nothing is extracted here
        http=None,  # type: ignore[arg-type]
        worker_id="test:1",
        runs=RunGate(sessions),
        models=ActiveModels(sessions, blobs),
    )


async def extracted(pipeline: Pipeline, seed: str, text: str) -> DocumentExtracted:
    """A registered, cleaned and extracted document whose one page reads `text`."""
    result = extraction(pages=1, tables=0, text=text)
    blob = pipeline.blobs.put_bytes(result.model_dump_json().encode())
    async with pipeline.sessions.begin() as session:
        row = await registered(session, seed)
        await record_cleaned(session, row.id, page_count=1, pages_without_text=[])
        await record_extracted(session, row.id, blob.sha256)
        await mark_stage_done(session, row.id, Stage.EXTRACT, output_ref=blob.sha256)
    return DocumentExtracted(doc_id=row.id, result_sha256=blob.sha256, page_count=1, table_count=0)


async def test_without_an_active_model_a_document_is_stored_unscored(pipeline: Pipeline) -> None:
    event = await extracted(pipeline, "plain", "invoice payment ledger")

    scored = await score_document(pipeline, event)
    await store_document(pipeline, scored)

    assert scored.predictions == []
    async with pipeline.sessions() as session:
        assert await get_predictions(session, event.doc_id) == []
        stage = await get_stage(session, event.doc_id, "score")
    assert stage is not None and stage.status == "done"


async def test_an_active_classifier_labels_a_document_and_its_prediction_is_stored_with_the_version(
    pipeline: Pipeline,
) -> None:
    model = await classifier_model(pipeline.sessions, pipeline.blobs)
    await activate(pipeline.sessions, model.id)
    event = await extracted(pipeline, "clinic", text_about("medicine", random.Random(3), words=60))

    scored = await score_document(pipeline, event)
    await store_document(pipeline, scored)
    await store_document(pipeline, scored)  # a redelivery rewrites the same prediction

    async with pipeline.sessions() as session:
        [row] = await get_predictions(session, event.doc_id)
    assert (row.kind, row.label, row.model_version) == (
        ModelKind.DOCUMENT_CLASSIFIER,
        "medicine",
        model.version,
    )
    assert row.prediction() == scored.predictions[0]


async def test_a_label_is_set_replaced_and_removed(session: AsyncSession) -> None:
    row = await registered(session, "labelled")

    await set_label(session, row.id, "invoice", by="ada")
    await set_label(session, row.id, "receipt", by="event:erp")
    relabelled = await get_label(session, row.id)
    await set_label(session, row.id, None, by="ada")

    assert relabelled is not None and (relabelled.label, relabelled.labelled_by) == ("receipt", "event:erp")
    assert await get_label(session, row.id) is None


async def stored(session: AsyncSession, seed: str, text: str, label: str | None) -> str:
    """A stored document with one page of `text`, labelled if `label` is given."""
    row = await registered(session, seed)
    await store_extraction(session, row.id, extraction(pages=2, tables=0, text=text + " {n}"))
    if label is not None:
        await set_label(session, row.id, label, by="test")
    return row.id


async def test_a_classifier_learns_from_labelled_stored_documents_and_topics_from_all(
    engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        await stored(session, "a", "invoice", "finance")
        await stored(session, "b", "patient", "medicine")
        await stored(session, "c", "goal", None)
        await registered(session, "never stored")
    trainer = Trainer(sessions, BlobStore(Path("unused")), Path("unused"))

    classifier = await trainer.spec_for(TrainModel(kind=ModelKind.DOCUMENT_CLASSIFIER))
    topics = await trainer.spec_for(TrainModel(kind=ModelKind.DOCUMENT_TOPICS, n_topics=2))

    assert isinstance(classifier, ClassifierSpec) and isinstance(topics, TopicsSpec)
    assert sorted(zip(classifier.labels, classifier.texts, strict=True)) == [
        ("finance", "invoice 1\n\ninvoice 2"),
        ("medicine", "patient 1\n\npatient 2"),
    ]
    assert sorted(topics.texts) == ["goal 1\n\ngoal 2", "invoice 1\n\ninvoice 2", "patient 1\n\npatient 2"]
    async with sessions() as session:
        assert len(await stored_document_pages(session, labelled=False, limit=2, max_page=1)) == 2


async def test_an_anomaly_model_reads_the_numeric_columns_but_not_the_key(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    schema = DatasetSchema(
        columns=[
            ColumnSpec(name="id", type=ColumnType.INTEGER),
            ColumnSpec(name="amount", type=ColumnType.FLOAT),
            ColumnSpec(name="city", type=ColumnType.STRING),
        ],
        key=["id"],
    )
    async with sessions.begin() as session:
        await put_dataset_schema(session, "orders", schema)
    trainer = Trainer(sessions, BlobStore(Path("unused")), Path("unused"))

    spec = await trainer.spec_for(TrainModel(kind=ModelKind.RECORD_ANOMALY, scope="orders"))

    assert isinstance(spec, AnomalySpec) and list(spec.numeric_columns) == ["amount"]
    with pytest.raises(ConflictError, match="no records yet"):
        await trainer.train(TrainModel(kind=ModelKind.RECORD_ANOMALY, scope="orders"))
    with pytest.raises(NotFoundError):
        await trainer.spec_for(TrainModel(kind=ModelKind.RECORD_ANOMALY, scope="nowhere"))


class RecordingBroker:
    """Stands in for a Kafka producer: remembers what was published where."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Any]] = []

    async def publish(self, event: Any, topic: str, key: bytes) -> None:
        """Remember one message."""
        self.published.append((topic, event))


async def test_the_reconciler_resumes_an_extracted_document_at_the_score_stage(pipeline: Pipeline) -> None:
    event = await extracted(pipeline, "half done", "some text")
    broker = RecordingBroker()

    count = await republish_unfinished(pipeline.sessions, broker, pipeline.topics, pipeline.blobs)  # type: ignore[arg-type]

    [(topic, resumed)] = broker.published
    assert count == 1
    assert topic == pipeline.topics.documents_extracted  # the score stage's input
    assert resumed == event


async def test_a_label_carried_by_an_upstream_event_is_kept_as_training_data(pipeline: Pipeline) -> None:
    blob = pipeline.blobs.put_bytes(b"%PDF-1.4 labelled upstream")
    event = DocumentSubmitted(blob_sha256=blob.sha256, source="erp", label=" invoice ")

    doc_id = await register(pipeline, event)

    async with pipeline.sessions() as session:
        label = await get_label(session, doc_id)
    assert label is not None and (label.label, label.labelled_by) == ("invoice", "event:erp")

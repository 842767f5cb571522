"""Data for the data and admin pages' browser tests, written through the storage functions."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from app import storage
from app.storage.predictions import set_label, store_predictions
from app.storage.records import add_dataset_if_absent, upsert_records
from schemas.dead_letters import DeadLettered, DeadLetterReason
from schemas.documents import Stage
from schemas.extraction import ExtractedTable, ExtractionResult, PageText
from schemas.models import DocumentPrediction, ModelInfo, ModelKind
from schemas.records import ColumnSpec, ColumnType, DatasetSchema, ScoredRecord
from tests.e2e.harness import Service
from tests.storage.trained import anomaly_model
from tests.web.conftest import doc_id_of

DATASET = "browser-orders"
REPORT = "browser-quarterly-report.pdf"
REPORT_TEXT = "Revenue grew by twelve percent in the third quarter."
CLASSIFIER_VERSION = "c1a55f1e" * 8
ORDERS = DatasetSchema(
    columns=[
        ColumnSpec(name="id", type=ColumnType.INTEGER),
        ColumnSpec(name="amount", type=ColumnType.FLOAT),
        ColumnSpec(name="quantity", type=ColumnType.INTEGER),
        ColumnSpec(name="placed_at", type=ColumnType.DATETIME),
    ],
    key=["id"],
)


@dataclass(frozen=True)
class Seeded:
    """What the tests look for."""

    doc_id: str
    record_letter: UUID
    event_letter: UUID
    model: ModelInfo


async def seed_pages_data(headwater: Service) -> Seeded:
    """A stored document with text, a table, a label and a prediction; a dataset whose records
    include anomalies; two open dead letters; an inactive anomaly model of the dataset."""
    sessions = headwater.core.sessions
    doc_id = doc_id_of("browser report")
    result = ExtractionResult(
        page_count=2,
        metadata={"Title": "Quarterly report"},
        pages=[
            PageText(number=1, text=REPORT_TEXT, has_text_layer=True, width=595.0, height=842.0),
            PageText(number=2, text="", has_text_layer=False, width=595.0, height=842.0),
        ],
        tables=[ExtractedTable(index=0, page_number=1, header=["quarter", "revenue"], rows=[["Q3", "1.2M"]])],
    )
    prediction = DocumentPrediction(
        kind=ModelKind.DOCUMENT_CLASSIFIER, label="report", score=0.87, model_version=CLASSIFIER_VERSION
    )
    start = datetime(2024, 6, 1, tzinfo=UTC)
    records = [
        ScoredRecord(
            key=doc_id_of(f"order {n}"),
            data={
                "id": n,
                "amount": 900.0 if n % 10 == 7 else 20.0 + n % 5,
                "quantity": 1 + n % 3,
                "placed_at": (start + timedelta(hours=n)).isoformat(),
            },
            anomaly_score=0.9 if n % 10 == 7 else 0.1,
            is_anomaly=n % 10 == 7,
            model_version="browser-anomaly",
        )
        for n in range(40)
    ]
    async with sessions.begin() as session:
        await storage.register_document(
            session, doc_id=doc_id, filename=REPORT, source="browser", size_bytes=4321, run_id=None
        )
        for stage in Stage:
            await storage.mark_stage_started(session, doc_id, stage, worker="browser:1")
        await storage.record_cleaned(session, doc_id, page_count=2, pages_without_text=[2])
        await storage.record_extracted(session, doc_id, "e" * 64)
        await storage.mark_stage_done(session, doc_id, Stage.CLEAN)
        await storage.store_extraction(session, doc_id, result)
        await storage.mark_stage_done(session, doc_id, Stage.STORE, output_ref="e" * 64)
        await set_label(session, doc_id, "report", by="browser-operator")
        await store_predictions(session, doc_id, [prediction])
        await add_dataset_if_absent(session, DATASET, ORDERS, inferred=False)
        await upsert_records(session, DATASET, records, run_id=None)
    record_letter = await _letter(
        headwater,
        stage="validate-records",
        reason_code=DeadLetterReason.INVALID_RECORD,
        reason=f"Record 0 of a batch for {DATASET!r}: column 'amount': expected a number, got 'lots'",
        payload=json.dumps(
            {
                "dataset": DATASET,
                "batch": "b1",
                "row": 0,
                "record": {"id": 100, "amount": 5.5, "quantity": 1, "placed_at": "2024-06-03T00:00:00+00:00"},
            }
        ),
    )
    event_letter = await _letter(
        headwater,
        stage="clean",
        reason_code=DeadLetterReason.INVALID_EVENT,
        reason="The message is not JSON: <script>alert(1)</script>",
        payload="<script>alert('payload')</script>" + "x" * 500,
    )
    model = await anomaly_model(sessions, headwater.core.blobs, seed=3, scope=DATASET)
    return Seeded(doc_id=doc_id, record_letter=record_letter, event_letter=event_letter, model=model)


async def _letter(
    headwater: Service, *, stage: str, reason_code: DeadLetterReason, reason: str, payload: str
) -> UUID:
    letter = DeadLettered(
        id=uuid4(),
        stage=stage,
        topic=f"{headwater.settings.topic_namespace}.ingest",
        reason_code=reason_code,
        reason=reason,
        payload_preview=payload,
        occurred_at=datetime.now(UTC),
    )
    async with headwater.core.sessions.begin() as session:
        await storage.record_dead_letter(session, letter)
    return letter.id

"""The stages a worker process can run, by name."""

from collections.abc import Callable

from faststream.kafka import KafkaRouter

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from consumers import clean, extract, progress, score, score_records, store, store_records, validate_records

RouterFactory = Callable[[Pipeline, GroupReadiness], KafkaRouter]

STAGES: dict[str, RouterFactory] = {
    "clean": clean.create_router,
    "extract": extract.create_router,
    "store": store.create_router,
    "progress": progress.create_router,
    "score": score.create_router,
    "validate-records": validate_records.create_router,
    "score-records": score_records.create_router,
    "store-records": store_records.create_router,
}

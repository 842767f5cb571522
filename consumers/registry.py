"""The stages a worker process can run, by name."""

from collections.abc import Callable

from faststream.kafka import KafkaRouter

from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from consumers import clean, extract, store

RouterFactory = Callable[[Pipeline, GroupReadiness], KafkaRouter]

STAGES: dict[str, RouterFactory] = {
    "clean": clean.create_router,
    "extract": extract.create_router,
    "store": store.create_router,
}

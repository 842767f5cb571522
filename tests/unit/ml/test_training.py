"""Training in a worker process: a spec goes in, an artifact file and a small summary come out."""

import hashlib
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from app.ml.artifacts import load_model
from app.ml.model import NotEnoughData
from app.ml.training import AnomalySpec, ClassifierSpec, TopicsSpec, train_to_file
from schemas.models import ModelKind
from tests.unit.ml.generated import labelled_texts, ordinary_records


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    """One spawned worker, as the service runs training (no state copied from the parent)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


def test_training_in_a_worker_process_writes_the_artifact_and_returns_a_summary(
    pool: ProcessPoolExecutor, tmp_path: Path
) -> None:
    texts, labels = labelled_texts(per_group=10, seed=41)
    out = tmp_path / "model.skops"
    summary = pool.submit(train_to_file, ClassifierSpec(texts, labels, seed=0), out).result(timeout=60)
    data = out.read_bytes()
    assert summary.kind is ModelKind.DOCUMENT_CLASSIFIER
    assert summary.artifact_sha256 == hashlib.sha256(data).hexdigest()
    assert summary.artifact_bytes == len(data)
    assert summary.training_size == 30
    assert summary.metrics["cv_accuracy"] > 0.9
    assert load_model(data).version == summary.version
    assert not out.with_suffix(".tmp").exists()


def test_a_refusal_crosses_the_process_boundary_as_itself(pool: ProcessPoolExecutor, tmp_path: Path) -> None:
    spec = AnomalySpec(rows=ordinary_records(5, seed=42), numeric_columns=["amount"])
    with pytest.raises(NotEnoughData, match="at least 10 records"):
        pool.submit(train_to_file, spec, tmp_path / "model.skops").result(timeout=60)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        (TopicsSpec(labelled_texts(per_group=5, seed=43)[0], n_topics=3), ModelKind.DOCUMENT_TOPICS),
        (AnomalySpec(ordinary_records(50, seed=44), ["amount", "quantity"]), ModelKind.RECORD_ANOMALY),
    ],
)
def test_every_kind_of_model_trains_to_a_file(
    spec: TopicsSpec | AnomalySpec, kind: ModelKind, tmp_path: Path
) -> None:
    summary = train_to_file(spec, tmp_path / "model.skops")
    model = load_model((tmp_path / "model.skops").read_bytes())
    assert (summary.kind, model.kind, model.version) == (kind, kind, summary.version)
    assert model.metrics == summary.metrics


def test_a_summary_becomes_the_registry_entry(tmp_path: Path) -> None:
    summary = train_to_file(AnomalySpec(ordinary_records(30, seed=45), ["amount"]), tmp_path / "model.skops")
    model_id, now = uuid4(), datetime.now(UTC)
    info = summary.info(model_id=model_id, scope="orders", created_at=now, active=True)
    assert (info.id, info.scope, info.created_at, info.active) == (model_id, "orders", now, True)
    assert (info.kind, info.version, info.training_size) == (ModelKind.RECORD_ANOMALY, summary.version, 30)
    assert info.params["contamination"] == 0.01
    assert info.artifact_sha256 == summary.artifact_sha256

"""Models trained once per session on generated data, shared by the ML tests (training costs time)."""

import pytest

from app.ml.anomaly import train_anomaly
from app.ml.documents import fit_topics, train_classifier
from app.ml.model import TrainedModel
from tests.unit.ml.generated import labelled_texts, ordinary_records


@pytest.fixture(scope="session")
def classifier() -> TrainedModel:
    """A classifier trained on 20 generated texts for each of three vocabularies."""
    texts, labels = labelled_texts(per_group=20, seed=1)
    return train_classifier(texts, labels, seed=0)


@pytest.fixture(scope="session")
def topics() -> TrainedModel:
    """Three topics fitted on the same kind of texts, without their labels."""
    texts, _ = labelled_texts(per_group=20, seed=2)
    return fit_topics(texts, n_topics=3, seed=0)


@pytest.fixture(scope="session")
def anomaly() -> TrainedModel:
    """An anomaly model trained on 300 ordinary records."""
    return train_anomaly(ordinary_records(300, seed=3), ["amount", "quantity"], seed=0)

"""Model artifacts: a model survives skops bytes intact; anything else is refused, never run."""

import io
import json
import random
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression

from app.ml.anomaly import score_records
from app.ml.artifacts import ArtifactRefused, dump_model, load_model
from app.ml.documents import predict_documents
from app.ml.model import TrainedModel
from tests.unit.ml.generated import labelled_texts, ordinary_records


class Gadget:
    """A class Headwater never trusts."""


def _rewrite_schema(data: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    """The artifact with its skops `schema.json` edited, as an attacker with write access could."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "schema.json":
                schema = json.loads(content)
                edit(schema)
                content = json.dumps(schema).encode()
            target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("name", ["classifier", "topics"])
def test_a_document_model_round_trips_with_the_same_predictions(
    name: str, request: pytest.FixtureRequest
) -> None:
    model: TrainedModel = request.getfixturevalue(name)
    loaded = load_model(dump_model(model))
    texts, _ = labelled_texts(per_group=3, seed=31)
    assert loaded == model  # every field but the pipeline, which is compared through its predictions
    assert predict_documents(loaded, texts) == predict_documents(model, texts)


def test_an_anomaly_model_round_trips_with_the_same_scores(anomaly: TrainedModel) -> None:
    loaded = load_model(dump_model(anomaly))
    rows: list[Mapping[str, object]] = [*ordinary_records(20, seed=32), {"amount": 9999.0, "quantity": None}]
    assert loaded == anomaly
    assert score_records(loaded, rows) == score_records(anomaly, rows)


def test_an_artifact_holding_an_unknown_type_is_refused() -> None:
    data = sio.dumps({"format": 1, "card": "{}", "pipeline": Gadget()})
    with pytest.raises(ArtifactRefused, match=r"types Headwater does not trust.*Gadget"):
        load_model(data)


def test_an_artifact_edited_to_call_a_system_function_is_refused(classifier: TrainedModel) -> None:
    def to_os_system(schema: dict[str, Any]) -> None:
        schema["content"]["pipeline"].update({"__class__": "system", "__module__": "os"})

    with pytest.raises(ArtifactRefused, match=r"\['os.system'\]"):
        load_model(_rewrite_schema(dump_model(classifier), to_os_system))


def test_a_trusted_object_that_is_not_a_headwater_model_is_refused() -> None:
    data = sio.dumps({"format": 1, "card": "{}", "pipeline": LogisticRegression()})
    with pytest.raises(ArtifactRefused, match="Not a Headwater model artifact"):
        load_model(data)


def test_a_bare_scikit_learn_artifact_is_refused() -> None:
    with pytest.raises(ArtifactRefused, match="Not a Headwater model artifact"):
        load_model(sio.dumps(LogisticRegression()))


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04" + random.Random(0).randbytes(200)])
def test_bytes_that_are_not_an_artifact_are_refused(data: bytes) -> None:
    with pytest.raises(ArtifactRefused, match="Not a readable model artifact"):
        load_model(data)


def test_a_truncated_artifact_is_refused(topics: TrainedModel) -> None:
    data = dump_model(topics)
    with pytest.raises(ArtifactRefused):
        load_model(data[: len(data) // 2])

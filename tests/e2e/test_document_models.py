"""Document models through the real broker: stored unscored until a classifier trained on labelled
documents is activated; then a new document is stored with its predicted class and the model's version."""

import asyncio
import random

import pytest
from fpdf import FPDF

from app.registry.cache import DEFAULT_TTL_SECONDS
from tests.e2e.harness import Service
from tests.unit.ml.generated import VOCABULARIES, labelled_texts, text_about

pytestmark = [pytest.mark.broker]


def text_pdf(text: str) -> bytes:
    """A one-page PDF holding `text`."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


async def upload(service: Service, name: str, content: bytes) -> str:
    """Upload one PDF; return its document id."""
    response = await service.client.post(
        "/api/v1/documents", files={"file": (name, content, "application/pdf")}
    )
    assert response.status_code == 202, response.text
    return str(response.json()["doc_id"])


async def test_a_classifier_trained_on_labelled_documents_predicts_the_class_of_a_new_one(
    service: Service,
) -> None:
    client = service.client
    texts, labels = labelled_texts(per_group=4, seed=11)
    doc_ids = [await upload(service, f"doc-{i}.pdf", text_pdf(text)) for i, text in enumerate(texts)]
    details = await service.wait_until_final(doc_ids)
    assert {detail["status"] for detail in details.values()} == {"stored"}
    assert {stage["stage"] for stage in details[doc_ids[0]]["stages"]} >= {"extract", "score", "store"}
    unscored = (await client.get(f"/api/v1/documents/{doc_ids[0]}/predictions")).json()
    assert unscored == {"doc_id": doc_ids[0], "label": None, "predictions": []}

    for doc_id, label in zip(doc_ids, labels, strict=True):
        labelled = await client.put(f"/api/v1/documents/{doc_id}/label", json={"label": label})
        assert labelled.json()["label"] == label
    trained = await client.post("/api/v1/models/train", json={"kind": "document_classifier"})
    assert trained.status_code == 201, trained.text
    model = trained.json()
    assert model["training_size"] == 12 and model["metrics"]["cv_accuracy"] >= 0.75
    assert (await client.post(f"/api/v1/models/{model['id']}/activate")).json()["active"] is True
    await asyncio.sleep(DEFAULT_TTL_SECONDS)  # the command is immediate; this covers a worker that missed it

    new = await upload(service, "new.pdf", text_pdf(text_about("medicine", random.Random(99), words=60)))
    assert (await service.wait_until_final([new]))[new]["status"] == "stored"

    [prediction] = (await client.get(f"/api/v1/documents/{new}/predictions")).json()["predictions"]
    assert prediction["kind"] == "document_classifier"
    assert prediction["label"] == "medicine"
    assert prediction["model_version"] == model["version"]
    assert prediction["score"] > 1 / len(VOCABULARIES)
    assert set(prediction["keywords"]) & set(VOCABULARIES["medicine"])

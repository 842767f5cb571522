"""Document models through the real broker: stored unscored until a Train Model run on labelled
documents registers and activates a classifier; then a new document is stored with its predicted class
and the model's version, and a Rescore Data run gives the earlier documents theirs."""

import asyncio
import random
from typing import Any

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


async def wait_for_run(service: Service, run_id: str, timeout: float = 90) -> dict[str, Any]:
    """Poll the API until the run is final; return its state."""
    async with asyncio.timeout(timeout):
        while True:
            run = (await service.client.get(f"/api/v1/runs/{run_id}")).json()["run"]
            if run["status"] in ("completed", "failed", "cancelled"):
                return dict(run)
            await asyncio.sleep(0.2)


async def test_a_train_model_run_on_labelled_documents_predicts_new_ones_and_a_rescore_the_earlier_ones(
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
    refused = await client.post("/api/v1/tasks/rescore/runs", json={})
    assert (await wait_for_run(service, refused.json()["id"]))["message"].startswith(
        "No active document model"
    )

    for doc_id, label in zip(doc_ids, labels, strict=True):
        labelled = await client.put(f"/api/v1/documents/{doc_id}/label", json={"label": label})
        assert labelled.json()["label"] == label
    started = await client.post(
        "/api/v1/tasks/train-model/runs", json={"model": {"kind": "document_classifier", "activate": True}}
    )
    assert started.status_code == 202, started.text
    trained = await wait_for_run(service, started.json()["id"])
    assert (trained["status"], trained["success"], trained["counts"]["done"]) == ("completed", True, 4), (
        trained
    )
    model = (await client.get(f"/api/v1/models/{trained['model_id']}")).json()
    assert (model["version"], model["active"]) == (trained["model_version"], True)
    assert model["training_size"] == 12 and model["metrics"]["cv_accuracy"] >= 0.75
    await asyncio.sleep(DEFAULT_TTL_SECONDS)  # the command is immediate; this covers a worker that missed it

    new = await upload(service, "new.pdf", text_pdf(text_about("medicine", random.Random(99), words=60)))
    assert (await service.wait_until_final([new]))[new]["status"] == "stored"
    [prediction] = (await client.get(f"/api/v1/documents/{new}/predictions")).json()["predictions"]
    assert (prediction["kind"], prediction["label"]) == ("document_classifier", "medicine")
    assert prediction["model_version"] == model["version"]
    assert prediction["score"] > 1 / len(VOCABULARIES)
    assert set(prediction["keywords"]) & set(VOCABULARIES["medicine"])

    rescore = await client.post("/api/v1/tasks/rescore/runs", json={"documents": doc_ids})
    rescored = await wait_for_run(service, rescore.json()["id"])
    assert (rescored["status"], rescored["counts"]) == (
        "completed",
        {"total": 12, "done": 12, "failed": 0, "skipped": 0},
    ), rescored
    for doc_id, label in zip(doc_ids, labels, strict=True):
        [earlier] = (await client.get(f"/api/v1/documents/{doc_id}/predictions")).json()["predictions"]
        assert (earlier["model_version"], earlier["label"]) == (model["version"], label)

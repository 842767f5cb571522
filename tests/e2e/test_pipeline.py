"""A PDF goes from upload to stored, extracted result through the real broker, on SQLite and PostgreSQL.

The tests share one running Headwater per database: each looks only at the documents it uploaded.
"""

from pathlib import Path

import pytest

from tests.e2e.harness import Service

pytestmark = [pytest.mark.broker]

TEXT_SAMPLES = {
    "pypdf/crazyones.pdf": "Heres to the crazy ones",
    "pdfplumber/scotus-transcript-p1.pdf": "SUPREME COURT OF THE UNITED STATES",
    "pdfplumber/background-checks.pdf": "NICS Firearm Background Checks",
}


async def dead_letters_of(service: Service, doc_id: str) -> list[dict]:
    """The dead letters of one document."""
    letters = (await service.client.get("/api/v1/dead-letters", params={"limit": 500})).json()["items"]
    return [letter for letter in letters if letter["doc_id"] == doc_id]


async def test_uploaded_pdfs_are_cleaned_extracted_and_stored(shared_service: Service, corpus: Path) -> None:
    doc_ids = {name: await shared_service.upload(corpus / name) for name in TEXT_SAMPLES}

    details = await shared_service.wait_until_final(list(doc_ids.values()))

    for name, phrase in TEXT_SAMPLES.items():
        document = details[doc_ids[name]]
        assert document["status"] == "stored", document
        assert phrase in document["pages"][0]["text"]
        assert {s["stage"]: s["status"] for s in document["stages"]} == {
            "clean": "done",
            "extract": "done",
            "score": "done",
            "store": "done",
        }


async def test_tables_are_stored_with_header_and_rows_and_download_as_csv(
    shared_service: Service, corpus: Path
) -> None:
    doc_id = await shared_service.upload(corpus / "pdfplumber/senate-expenditures.pdf")

    document = (await shared_service.wait_until_final([doc_id]))[doc_id]

    assert document["status"] == "stored"
    table = document["tables"][0]
    assert table["header"][0] == "DOCUMENTNO."
    assert table["header"][-1] == "AMOUNT($)"
    csv = await shared_service.client.get(f"/api/v1/documents/{doc_id}/tables/0.csv")
    assert csv.status_code == 200
    assert csv.text.splitlines()[0].startswith("DOCUMENTNO.")


async def test_uploading_the_same_bytes_twice_is_one_document_processed_once(
    shared_service: Service, corpus: Path
) -> None:
    pdf = corpus / "pypdf/crazyones.pdf"
    first = await shared_service.upload(pdf)
    await shared_service.wait_until_final([first])

    second = await shared_service.client.post(
        "/api/v1/documents", files={"file": ("again.pdf", pdf.read_bytes(), "application/pdf")}
    )

    assert second.json()["doc_id"] == first
    assert second.json()["duplicate"] is True
    detail = (await shared_service.client.get(f"/api/v1/documents/{first}")).json()
    assert all(stage["attempts"] == 1 for stage in detail["stages"])


@pytest.mark.parametrize(
    ("name", "reason_code"),
    [
        ("pdfplumber/password-example.pdf", "encrypted"),
        ("pdfplumber/empty.pdf", "empty"),
    ],
)
async def test_bad_pdfs_end_as_dead_letters_and_the_pipeline_keeps_working(
    shared_service: Service, corpus: Path, name: str, reason_code: str
) -> None:
    bad = await shared_service.upload(corpus / name)
    good = await shared_service.upload(corpus / "pypdf/crazyones.pdf")

    details = await shared_service.wait_until_final([bad, good])

    assert details[bad]["status"] == "failed"
    assert details[good]["status"] == "stored"
    letters = await dead_letters_of(shared_service, bad)
    assert [x["reason_code"] for x in letters] == [reason_code]
    assert letters[0]["reason"]


async def test_a_file_that_is_not_a_pdf_is_a_dead_letter_with_a_clear_reason(shared_service: Service) -> None:
    response = await shared_service.client.post(
        "/api/v1/documents", files={"file": ("notes.pdf", b"just some text, not a PDF", "application/pdf")}
    )
    doc_id = response.json()["doc_id"]

    document = (await shared_service.wait_until_final([doc_id]))[doc_id]

    assert document["status"] == "failed"
    letters = await dead_letters_of(shared_service, doc_id)
    assert letters[0]["reason_code"] == "not_pdf"
    assert "PDF" in letters[0]["reason"]

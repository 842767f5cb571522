"""Documents API: upload, list, detail and CSV download, over real storage and the Kafka test broker."""

import csv
import hashlib
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from app.errors import HeadwaterError, PermanentError, TransientError
from app.runs.live import live_run_id
from producers.documents import Intake
from schemas.auth import Role
from schemas.dead_letters import DeadLetterReason
from schemas.documents import DocumentStatus, DocumentSubmitted
from schemas.extraction import ExtractedTable
from tests.web.conftest import Ingest, Seeder, as_role, doc_id_of
from web.app import create_app
from web.controllers.documents import sanitise_filename
from web.services import WebServices

DOCUMENTS = "/api/v1/documents"


def pdf_upload(path: Path, filename: str | None = None) -> dict[str, Any]:
    """The `files=` of a multipart upload of `path` in the `file` field."""
    return {"file": (filename or path.name, path.read_bytes(), "application/pdf")}


async def test_uploading_a_pdf_answers_202_with_its_document_id(
    client: AsyncTestClient[Any], small_pdf: Path, ingest: Ingest, services: WebServices
) -> None:
    response = await client.post(DOCUMENTS, files=pdf_upload(small_pdf, "report.pdf"))

    assert response.status_code == 202
    doc_id = hashlib.sha256(small_pdf.read_bytes()).hexdigest()
    live_run = live_run_id("api", datetime.now(UTC).date())  # uploads join today's live-ingestion run
    assert response.json() == {
        "doc_id": doc_id,
        "status": "received",
        "duplicate": False,
        "run_id": str(live_run),
        "links": {"self": f"{DOCUMENTS}/{doc_id}"},
    }
    assert services.blobs.path(doc_id).read_bytes() == small_pdf.read_bytes()
    submitted = DocumentSubmitted(blob_sha256=doc_id, filename="report.pdf", source="api", run_id=live_run)
    ingest.on_document_submitted.mock.assert_called_once_with(submitted.model_dump(mode="json"))


async def test_uploading_the_same_bytes_twice_returns_the_same_document_and_publishes_once(
    client: AsyncTestClient[Any], small_pdf: Path, ingest: Ingest
) -> None:
    first = await client.post(DOCUMENTS, files=pdf_upload(small_pdf, "a.pdf"))
    second = await client.post(DOCUMENTS, files=pdf_upload(small_pdf, "renamed.pdf"))

    assert first.status_code == second.status_code == 202
    assert second.json()["doc_id"] == first.json()["doc_id"]
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    ingest.on_document_submitted.mock.assert_called_once()
    listing = (await client.get(DOCUMENTS)).json()
    assert listing["total"] == 1


async def test_upload_over_the_size_limit_is_413(
    services: WebServices, small_pdf: Path, ingest: Ingest, tokens: dict[Role, str]
) -> None:
    small_limit = services.settings.model_copy(update={"max_upload_bytes": 1024})
    assert small_pdf.stat().st_size > 1024
    async with AsyncTestClient(app=create_app(replace(services, settings=small_limit))) as anonymous:
        client = as_role(anonymous, tokens, Role.OPERATOR)
        response = await client.post(DOCUMENTS, files=pdf_upload(small_pdf))

        assert response.status_code == 413
        assert (await client.get(DOCUMENTS)).json()["total"] == 0
    ingest.on_document_submitted.mock.assert_not_called()


class FailingIntake:
    """An intake that reads the upload, then fails with `error`."""

    def __init__(self, error: HeadwaterError) -> None:
        self.error = error

    async def submit(
        self, chunks: AsyncIterator[bytes], *, filename: str | None, source: str, run_id: UUID | None = None
    ) -> Intake:
        async for _ in chunks:
            pass
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        pytest.param(
            PermanentError(DeadLetterReason.TOO_LARGE, "the PDF has 9000 pages; the limit is 5000"),
            422,
            {
                "status_code": 422,
                "detail": "the PDF has 9000 pages; the limit is 5000",
                "extra": {"reason_code": "too_large"},
            },
            id="permanent",
        ),
        pytest.param(
            TransientError("database is locked"),
            503,
            {"status_code": 503, "detail": "temporarily unavailable, try again"},
            id="transient",
        ),
    ],
)
async def test_domain_errors_become_http_errors(
    services: WebServices,
    small_pdf: Path,
    error: HeadwaterError,
    status: int,
    body: dict[str, Any],
    tokens: dict[Role, str],
) -> None:
    async with AsyncTestClient(app=create_app(replace(services, intake=FailingIntake(error)))) as client:
        response = await as_role(client, tokens, Role.OPERATOR).post(DOCUMENTS, files=pdf_upload(small_pdf))

    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"document": ("a.pdf", b"%PDF-1.4", "application/pdf")}, id="wrong-field-name"),
        pytest.param({"file": (None, b"not a file part")}, id="plain-form-field"),
        pytest.param(None, id="no-body"),
    ],
)
async def test_upload_without_a_file_field_is_400(
    client: AsyncTestClient[Any], files: dict[str, Any] | None, ingest: Ingest
) -> None:
    response = await client.post(DOCUMENTS, files=files)

    assert response.status_code == 400
    ingest.on_document_submitted.mock.assert_not_called()


async def test_client_filename_is_a_label_never_a_path(
    client: AsyncTestClient[Any], small_pdf: Path, tmp_path: Path
) -> None:
    response = await client.post(DOCUMENTS, files=pdf_upload(small_pdf, "../../etc/passwd"))

    assert response.status_code == 202
    detail = (await client.get(response.json()["links"]["self"])).json()
    assert detail["filename"] == "passwd"
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert written, "the blob was written"
    outside_blobs = [p for p in written if p.parts[0] != "blobs" and not p.name.startswith("headwater.db")]
    assert outside_blobs == []
    assert not (tmp_path.parent / "etc").exists()


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\scan.pdf", "scan.pdf"),
        ("in\x00voice\r\n.pdf", "invoice.pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("  spaced.pdf  ", "spaced.pdf"),
        ("x" * 300 + ".pdf", "x" * 255),
        ("..", None),
        ("dir/", None),
        ("", None),
        (None, None),
    ],
)
def test_client_filenames_become_printable_basenames_of_at_most_255_chars(
    raw: str | None, label: str | None
) -> None:
    assert sanitise_filename(raw) == label


async def test_documents_are_listed_newest_first_and_filtered_by_status(
    client: AsyncTestClient[Any], seed: Seeder
) -> None:
    oldest = await seed.document("oldest")
    failed = await seed.document("failed", status=DocumentStatus.FAILED)
    newest = await seed.document("newest")

    everything = (await client.get(DOCUMENTS)).json()
    only_failed = (await client.get(DOCUMENTS, params={"status": "failed"})).json()
    second_page = (await client.get(DOCUMENTS, params={"limit": 1, "offset": 1})).json()

    assert [d["doc_id"] for d in everything["items"]] == [newest, failed, oldest]
    assert (everything["total"], everything["limit"], everything["offset"]) == (3, 50, 0)
    assert [(d["doc_id"], d["status"], d["error"]) for d in only_failed["items"]] == [
        (failed, "failed", "not a PDF")
    ]
    assert only_failed["total"] == 1
    assert [d["doc_id"] for d in second_page["items"]] == [failed]
    assert (second_page["total"], second_page["limit"], second_page["offset"]) == (3, 1, 1)
    assert set(everything["items"][0]) == {
        "doc_id", "filename", "source", "status", "size_bytes", "page_count",
        "table_count", "error", "created_at", "updated_at",
    }  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"status": "' OR 1=1 --"},
        {"status": "stored'; DROP TABLE documents; --"},
        {"status": "STORED"},
        {"limit": 0},
        {"limit": 501},
        {"limit": "1; DELETE FROM documents"},
        {"offset": -1},
    ],
)
async def test_bad_listing_parameters_are_400_not_500(
    client: AsyncTestClient[Any], seed: Seeder, params: dict[str, Any]
) -> None:
    await seed.document("kept")

    response = await client.get(DOCUMENTS, params=params)

    assert response.status_code == 400
    assert (await client.get(DOCUMENTS)).json()["total"] == 1


async def test_document_detail_has_pages_tables_and_stage_status(
    client: AsyncTestClient[Any], seed: Seeder
) -> None:
    table = ExtractedTable(index=0, page_number=1, header=["region", "revenue"], rows=[["North", "10"]])
    doc_id = await seed.stored_document("report", tables=[table])

    response = await client.get(f"{DOCUMENTS}/{doc_id}")

    assert response.status_code == 200
    detail = response.json()
    assert (detail["doc_id"], detail["status"], detail["page_count"], detail["table_count"]) == (
        doc_id, "stored", 2, 1,
    )  # fmt: skip
    assert detail["metadata"] == {"Title": "Quarterly report"}
    assert detail["pages_without_text"] == [2]
    assert detail["pages"] == [
        {"number": 1, "text": "Revenue grew.", "has_text_layer": True},
        {"number": 2, "text": "", "has_text_layer": False},
    ]
    assert detail["tables"] == [
        {
            "index": 0,
            "page_number": 1,
            "header": ["region", "revenue"],
            "rows": [["North", "10"]],
            "csv_url": f"{DOCUMENTS}/{doc_id}/tables/0.csv",
        }
    ]
    stages = {s["stage"]: s for s in detail["stages"]}
    assert list(stages) == ["clean", "extract", "store"]
    assert all(s["status"] == "done" and s["attempts"] == 1 for s in stages.values())
    assert stages["clean"]["worker"] == "host:1"
    assert stages["store"]["finished_at"] is not None


@pytest.mark.parametrize(
    "doc_id",
    [
        doc_id_of("never uploaded"),
        doc_id_of("report").upper(),
        "not-a-document",
        "' OR '1'='1",
        "0" * 65,
    ],
)
async def test_unknown_document_is_404(client: AsyncTestClient[Any], seed: Seeder, doc_id: str) -> None:
    await seed.document("report")

    response = await client.get(f"{DOCUMENTS}/{doc_id}")

    assert response.status_code == 404
    assert response.json() == {"status_code": 404, "detail": "document not found"}


async def test_table_downloads_as_csv_with_header_and_quoted_cells(
    client: AsyncTestClient[Any], seed: Seeder
) -> None:
    table = ExtractedTable(
        index=0,
        page_number=1,
        header=["name", "note"],
        rows=[["Smith, Ann", 'said "hi"'], ["two\nlines", "plain"]],
    )
    doc_id = await seed.stored_document("report", tables=[table])

    response = await client.get(f"{DOCUMENTS}/{doc_id}/tables/0.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (f'attachment; filename="{doc_id[:12]}-table-0.csv"')
    assert response.text == 'name,note\r\n"Smith, Ann","said ""hi"""\r\n"two\nlines",plain\r\n'
    assert list(csv.reader(io.StringIO(response.text))) == [table.header, *table.rows]


async def test_csv_cells_that_look_like_formulas_are_neutralised(
    client: AsyncTestClient[Any], seed: Seeder
) -> None:
    formulas = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "safe = 1"]
    table = ExtractedTable(index=0, page_number=1, header=["=cmd|' /C calc'!A0", "ok"], rows=[formulas])
    doc_id = await seed.stored_document("report", tables=[table])

    response = await client.get(f"{DOCUMENTS}/{doc_id}/tables/0.csv")

    header, row = list(csv.reader(io.StringIO(response.text)))
    assert header == ["'=cmd|' /C calc'!A0", "ok"]
    assert row == ['\'=HYPERLINK("http://evil")', "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1", "safe = 1"]


@pytest.mark.parametrize(
    "table_file", ["1.csv", "0.txt", "first.csv", "01.csv", "0.csv.exe", "9" * 5000 + ".csv"]
)
async def test_table_downloads_other_than_an_existing_index_csv_are_404(
    client: AsyncTestClient[Any], seed: Seeder, table_file: str
) -> None:
    table = ExtractedTable(index=0, page_number=1, header=["a"], rows=[["1"]])
    doc_id = await seed.stored_document("report", tables=[table])

    response = await client.get(f"{DOCUMENTS}/{doc_id}/tables/{table_file}")

    assert response.status_code == 404


async def test_table_of_an_unknown_document_is_404(client: AsyncTestClient[Any]) -> None:
    response = await client.get(f"{DOCUMENTS}/{doc_id_of('nothing')}/tables/0.csv")

    assert response.status_code == 404

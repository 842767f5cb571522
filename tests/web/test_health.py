"""Health probes and API docs."""

from dataclasses import replace
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.kafka.readiness import GroupReadiness
from tests.web.conftest import CONSUMER_GROUPS
from web.app import create_app
from web.services import WebServices


async def join(readiness: GroupReadiness, group: str) -> None:
    """Have `group` complete its first join, as aiokafka's rebalance callback would."""
    await readiness.listener(group).on_partitions_assigned(set())


async def test_live_is_200_from_the_start(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health/live")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_is_503_until_every_consumer_group_joined(
    client: AsyncTestClient[Any], readiness: GroupReadiness
) -> None:
    before = await client.get("/health/ready")
    await join(readiness, "headwater-clean")
    halfway = await client.get("/health/ready")
    for group in CONSUMER_GROUPS:
        await join(readiness, group)
    after = await client.get("/health/ready")

    assert before.status_code == 503
    assert before.json() == {"status": "starting", "waiting_for": sorted(CONSUMER_GROUPS)}
    assert halfway.json()["waiting_for"] == ["headwater-extract", "headwater-store"]
    assert (after.status_code, after.json()["status"]) == (200, "ready")


async def test_ready_is_503_while_the_database_does_not_answer(services: WebServices, tmp_path: Path) -> None:
    # A directory is no SQLite file: every connection attempt fails.
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}")
    broken = replace(services, sessions=async_sessionmaker(engine), readiness=list)
    try:
        async with AsyncTestClient(app=create_app(broken)) as client:
            response = await client.get("/health/ready")
    finally:
        await engine.dispose()

    assert (response.status_code, response.json()) == (
        503,
        {"status": "starting", "waiting_for": ["database"]},
    )


async def test_openapi_schema_lists_every_route(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/docs/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Headwater"
    operations = {
        (path, method.upper()): operation["operationId"]
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert operations == {
        ("/api/v1/documents", "POST"): "UploadDocument",
        ("/api/v1/documents", "GET"): "ListDocuments",
        ("/api/v1/documents/{doc_id}", "GET"): "GetDocument",
        ("/api/v1/documents/{doc_id}/tables/{table_file}", "GET"): "DownloadTableCsv",
        ("/api/v1/dead-letters", "GET"): "ListDeadLetters",
        ("/health/live", "GET"): "CheckLiveness",
        ("/health/ready", "GET"): "CheckReadiness",
        ("/api/v1/tasks", "GET"): "ListTasks",
        ("/api/v1/tasks/{slug}", "GET"): "GetTask",
        ("/api/v1/tasks/{slug}/runs", "POST"): "StartRun",
        ("/api/v1/runs", "GET"): "ListRuns",
        ("/api/v1/runs/{run_id}", "GET"): "GetRun",
        ("/api/v1/runs/{run_id}/cancel", "POST"): "CancelRun",
        ("/api/v1/runs/{run_id}/retry", "POST"): "RetryRun",
        ("/api/v1/session", "GET"): "WhoAmI",
        ("/api/v1/users", "GET"): "ListUsers",
        ("/api/v1/users", "POST"): "CreateUser",
        ("/api/v1/users/{user_id}", "PATCH"): "UpdateUser",
        ("/api/v1/tokens", "GET"): "ListTokens",
        ("/api/v1/tokens", "POST"): "CreateToken",
        ("/api/v1/tokens/{token_id}", "DELETE"): "RevokeToken",
        ("/api/v1/audit", "GET"): "ListAuditEntries",
        ("/api/v1/documents/{doc_id}/label", "PUT"): "SetDocumentLabel",
        ("/api/v1/documents/{doc_id}/predictions", "GET"): "GetDocumentPredictions",
        ("/api/v1/datasets", "GET"): "ListDatasets",
        ("/api/v1/datasets/{name}", "GET"): "GetDataset",
        ("/api/v1/datasets/{name}/schema", "PUT"): "PutDatasetSchema",
        ("/api/v1/datasets/{name}/records", "POST"): "SubmitRecords",
        ("/api/v1/datasets/{name}/records", "GET"): "ListRecords",
        ("/api/v1/datasets/{name}/records/csv", "POST"): "UploadRecordsCsv",
        ("/api/v1/datasets/{name}/export", "GET"): "ExportRecords",
        ("/api/v1/models", "GET"): "ListModels",
        ("/api/v1/models/{model_id}", "GET"): "GetModel",
        ("/api/v1/models/train", "POST"): "TrainModel",
        ("/api/v1/models/{model_id}/activate", "POST"): "ActivateModel",
        ("/api/v1/datasets/{name}/series", "GET"): "GetDatasetSeries",
        ("/api/v1/dead-letters/{letter_id}/discard", "POST"): "DiscardDeadLetter",
        ("/api/v1/dead-letters/{letter_id}/retry", "POST"): "RetryDeadLetter",
        ("/api/v1/schedules", "GET"): "ListSchedules",
        ("/api/v1/sources", "GET"): "ListSources",
        ("/api/v1/sources", "POST"): "CreateSource",
        ("/api/v1/sources/{source_id}", "DELETE"): "DeleteSource",
        ("/api/v1/sources/{source_id}", "GET"): "GetSource",
        ("/api/v1/sources/{source_id}", "PATCH"): "UpdateSource",
        ("/api/v1/stats/overview", "GET"): "GetStatsOverview",
        ("/api/v1/tasks/{slug}/schedule", "DELETE"): "DeleteTaskSchedule",
        ("/api/v1/tasks/{slug}/schedule", "PUT"): "PutTaskSchedule",
        ("/api/v1/tasks/{slug}/schedule/pause", "POST"): "PauseTaskSchedule",
        ("/api/v1/tasks/{slug}/schedule/resume", "POST"): "ResumeTaskSchedule",
    }
    assert {"DocumentAccepted", "DocumentPage", "DocumentDetail", "DeadLetterPage"} <= set(
        schema["components"]["schemas"]
    )


async def test_docs_are_served_under_api_docs(client: AsyncTestClient[Any]) -> None:
    for page in ("/api/docs", "/api/docs/swagger"):
        response = await client.get(page)
        assert (page, response.status_code) == (page, 200)
        assert response.headers["content-type"].startswith("text/html")
        assert '<script src="/api/docs/swagger-init.js"></script>' in response.text
    script = await client.get("/api/docs/swagger-init.js")
    assert script.status_code == 200
    assert '"/api/docs/openapi.json"' in script.text

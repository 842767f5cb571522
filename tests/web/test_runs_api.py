"""Tasks and runs API: list tasks; start, inspect, cancel and retry runs (real storage, test broker)."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.call_wrapper import KafkaHandlerCallWrapper
from litestar.testing import AsyncTestClient

from app.storage.run_documents import add_run_documents
from app.storage.runs import create_run
from producers.runs import RunCommands
from schemas.auth import Role
from schemas.documents import DocumentStatus
from schemas.progress import RunProgressed
from schemas.runs import RunDocumentStatus, TriggerKind
from schemas.topics import Topics
from tests.web.conftest import Seeder, as_role
from web.app import create_app
from web.services import WebServices

TASKS = "/api/v1/tasks"
RUNS = "/api/v1/runs"


@dataclass(frozen=True)
class Control:
    """The test broker, recording what was published on the control and progress topics."""

    broker: KafkaBroker
    on_command: KafkaHandlerCallWrapper[Any, Any]
    on_progress: KafkaHandlerCallWrapper[Any, Any]

    def commands(self) -> list[dict[str, Any]]:
        """Every command published so far."""
        return [call.args[0] for call in self.on_command.mock.call_args_list]

    def progress(self) -> list[dict[str, Any]]:
        """Every run snapshot published so far."""
        return [call.args[0]["run"] for call in self.on_progress.mock.call_args_list]


@pytest.fixture
async def control(services: WebServices) -> AsyncIterator[Control]:
    """A test broker with subscribers on the control and progress topics."""
    topics = Topics(services.settings.topic_namespace)
    broker = KafkaBroker()

    @broker.subscriber(topics.control)
    async def on_command(body: dict[str, Any]) -> None:
        """Record the command."""

    @broker.subscriber(topics.progress)
    async def on_progress(event: RunProgressed) -> None:
        """Record the snapshot."""

    async with TestKafkaBroker(broker) as test_broker:
        yield Control(test_broker, on_command, on_progress)


@pytest.fixture
async def operator(
    services: WebServices, tokens: dict[Role, str], control: Control
) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client with an operator's API token, on an app whose run commands go to `control`."""
    runs = RunCommands(
        sessions=services.sessions, broker=control.broker, topics=Topics(services.settings.topic_namespace)
    )
    async with AsyncTestClient(app=create_app(replace(services, runs=runs))) as client:
        yield as_role(client, tokens, Role.OPERATOR)


async def a_run_with(services: WebServices, statuses: dict[str, RunDocumentStatus]) -> uuid.UUID:
    """A finished Full Pipeline run whose documents ended with `statuses`."""
    async with services.sessions.begin() as session:
        run = await create_run(
            session,
            run_id=uuid.uuid4(),
            task="full-pipeline",
            selection={"kind": "all"},
            started_by=(TriggerKind.USER, "ada"),
            now=datetime.now(UTC),
        )
        await add_run_documents(
            session, run.id, [(doc_id, status, "boom") for doc_id, status in statuses.items()]
        )
    return run.id


async def test_tasks_are_listed_with_their_stages_and_whether_they_can_be_started(
    operator: AsyncTestClient[Any],
) -> None:
    response = await operator.get(TASKS)

    assert response.status_code == 200
    tasks = {task["slug"]: task for task in response.json()}
    assert list(tasks) == [
        "fetch-new-data",
        "clean-pdf",
        "extract-data",
        "full-pipeline",
        "live-ingestion",
        "train-model",
        "rescore",
    ]
    assert (tasks["train-model"]["name"], tasks["train-model"]["stages"]) == ("Train Model", [])
    assert (tasks["rescore"]["name"], tasks["rescore"]["stages"]) == ("Rescore Data", ["score", "store"])
    assert tasks["clean-pdf"]["stages"] == ["clean"]
    assert tasks["extract-data"]["stages"] == ["extract", "score", "store"]
    assert tasks["full-pipeline"]["stages"] == ["clean", "extract", "score", "store"]
    assert tasks["full-pipeline"]["name"] == "Full Pipeline"
    assert tasks["live-ingestion"]["startable"] is False
    assert all(task["schedule"] is None and task["last_run"] is None for task in tasks.values())


async def test_starting_a_run_queues_it_and_tells_every_worker(
    operator: AsyncTestClient[Any], control: Control, seed: Seeder
) -> None:
    failed = await seed.document("broken", status=DocumentStatus.FAILED)

    response = await operator.post(f"{TASKS}/full-pipeline/runs", json={"documents": [failed]})

    assert response.status_code == 202, response.text
    run = response.json()
    assert (run["task"], run["status"], run["summary"]) == (
        "full-pipeline",
        "queued",
        "Executing PDF extraction pipeline — queued",
    )
    assert run["started_by"] == {"kind": "api_token", "name": "operator (tests)"}
    [command] = control.commands()
    assert (command["command"], command["run_id"], command["task"]) == (
        "start_run",
        run["id"],
        "full-pipeline",
    )
    assert [snapshot["id"] for snapshot in control.progress()] == [run["id"]]
    task = (await operator.get(f"{TASKS}/full-pipeline")).json()
    assert task["last_run"]["id"] == run["id"]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (f"{TASKS}/no-such-task/runs", {"documents": "all"}, 404),
        (f"{TASKS}/live-ingestion/runs", {"documents": "all"}, 409),
        (f"{TASKS}/clean-pdf/runs", {"documents": ["a" * 64]}, 404),
        (f"{TASKS}/clean-pdf/runs", {"documents": f"run:{uuid.uuid4()}"}, 404),
        (f"{TASKS}/clean-pdf/runs", {"documents": "some"}, 400),
        (f"{TASKS}/clean-pdf/runs", {"documents": "all", "priority": 1}, 400),
    ],
)
async def test_a_run_that_cannot_start_is_refused_with_the_reason(
    operator: AsyncTestClient[Any], control: Control, path: str, body: dict[str, Any], status: int
) -> None:
    response = await operator.post(path, json=body)

    assert response.status_code == status, response.text
    assert control.commands() == []


async def test_cancelling_answers_after_the_run_is_cancelled_and_every_worker_was_told(
    operator: AsyncTestClient[Any], control: Control
) -> None:
    run_id = (await operator.post(f"{TASKS}/clean-pdf/runs", json={"documents": "all"})).json()["id"]

    response = await operator.post(f"{RUNS}/{run_id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert [command["command"] for command in control.commands()] == ["start_run", "cancel_run"]
    assert control.progress()[-1]["status"] == "cancelled"
    assert (await operator.get(f"{RUNS}/{run_id}")).json()["run"]["status"] == "cancelled"
    again = await operator.post(f"{RUNS}/{run_id}/cancel")
    assert (again.status_code, again.json()["detail"]) == (409, "the run is already cancelled")


async def test_retrying_starts_a_new_run_over_the_failed_documents(
    operator: AsyncTestClient[Any], control: Control, services: WebServices, seed: Seeder
) -> None:
    ok, bad = await seed.document("ok"), await seed.document("bad")
    run_id = await a_run_with(services, {ok: RunDocumentStatus.DONE, bad: RunDocumentStatus.FAILED})

    response = await operator.post(f"{RUNS}/{run_id}/retry")

    assert response.status_code == 202
    retry = response.json()
    assert (retry["retry_of"], retry["task"], retry["status"]) == (str(run_id), "full-pipeline", "queued")
    [command] = control.commands()
    assert (command["command"], command["run_id"], command["retry_of"]) == (
        "retry_run",
        retry["id"],
        str(run_id),
    )


async def test_a_run_without_failures_has_nothing_to_retry(
    operator: AsyncTestClient[Any], services: WebServices, seed: Seeder
) -> None:
    run_id = await a_run_with(services, {await seed.document("ok"): RunDocumentStatus.DONE})

    response = await operator.post(f"{RUNS}/{run_id}/retry")

    assert (response.status_code, response.json()["detail"]) == (
        409,
        "the run has no failed documents to retry",
    )


async def test_a_run_shows_its_documents_page_by_page_filtered_by_status(
    operator: AsyncTestClient[Any], services: WebServices, seed: Seeder
) -> None:
    ok, bad = await seed.document("ok"), await seed.document("bad")
    run_id = await a_run_with(services, {ok: RunDocumentStatus.DONE, bad: RunDocumentStatus.FAILED})

    failed = (await operator.get(f"{RUNS}/{run_id}", params={"document_status": "failed"})).json()
    page = (await operator.get(f"{RUNS}/{run_id}", params={"limit": 1})).json()

    assert failed["documents_total"] == 1
    [document] = failed["documents"]
    assert (document["doc_id"], document["filename"], document["error"]) == (bad, "bad.pdf", "boom")
    assert (page["documents_total"], len(page["documents"]), page["limit"]) == (2, 1, 1)


async def test_runs_are_listed_newest_first_and_filtered(
    operator: AsyncTestClient[Any], services: WebServices, seed: Seeder
) -> None:
    first = await a_run_with(services, {await seed.document("a"): RunDocumentStatus.DONE})
    second = (await operator.post(f"{TASKS}/clean-pdf/runs", json={"documents": "all"})).json()["id"]

    everything = (await operator.get(RUNS)).json()
    queued = (await operator.get(RUNS, params={"status": "queued"})).json()
    full = (await operator.get(RUNS, params={"task": "full-pipeline", "live": False})).json()

    assert [run["id"] for run in everything["items"]] == [second, str(first)]
    assert [run["id"] for run in queued["items"]] == [second, str(first)]
    assert [run["id"] for run in full["items"]] == [str(first)]


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/cancel"), ("POST", "/retry")])
async def test_an_unknown_run_is_not_found(operator: AsyncTestClient[Any], method: str, suffix: str) -> None:
    response = await operator.request(method, f"{RUNS}/{uuid.uuid4()}{suffix}")

    assert response.status_code == 404


async def test_a_viewer_reads_runs_but_cannot_start_cancel_or_retry_them(
    operator: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    run_id = (await operator.post(f"{TASKS}/clean-pdf/runs", json={"documents": "all"})).json()["id"]
    viewer = as_role(operator, tokens, Role.VIEWER)

    assert (await viewer.get(RUNS)).status_code == 200
    assert (await viewer.get(f"{RUNS}/{run_id}")).status_code == 200
    assert (await viewer.get(TASKS)).status_code == 200
    assert (await viewer.post(f"{TASKS}/clean-pdf/runs", json={"documents": "all"})).status_code == 403
    assert (await viewer.post(f"{RUNS}/{run_id}/cancel")).status_code == 403
    assert (await viewer.post(f"{RUNS}/{run_id}/retry")).status_code == 403

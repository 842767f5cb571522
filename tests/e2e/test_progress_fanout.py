"""Fan-out of run progress: every authenticated client following a run gets its final state.

The core of `bench/ws_fanout.py` at a small scale (the benchmark measures latency with 1,000 clients;
this checks only what must always hold, with no timing).
"""

from pathlib import Path

import pytest

from bench.ws_clients import follow
from tests.e2e.harness import Service
from tests.synthetic import dense_text_pdf

pytestmark = [pytest.mark.broker]
CLIENTS = 20


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_twenty_clients_following_a_run_each_receive_its_final_state_with_a_send_time(
    service: Service, tmp_path: Path
) -> None:
    pdfs = [dense_text_pdf(tmp_path / f"doc-{seed}.pdf", pages=3, seed=seed) for seed in range(3)]
    doc_ids = [await service.upload(pdf) for pdf in pdfs]
    await service.wait_until_final(doc_ids)
    response = await service.client.post("/api/v1/tasks/full-pipeline/runs", json={"documents": doc_ids})
    assert response.status_code == 202, response.text
    url = str(service.client.base_url).replace("http://", "ws://")
    url += f"/ws/progress?run_id={response.json()['id']}"
    auth = {"Authorization": service.client.headers["Authorization"]}

    summary = await follow(url, count=CLIENTS, batch=10, timeout=60, headers=auth)

    assert summary["errors"] == []
    assert summary["finals"] == ["completed 3/3"] * CLIENTS, "every client saw the run end"
    assert all(messages >= 2 for messages in summary["messages"]), "the state on connect, then pushes"
    assert len(summary["sent"]) == sum(summary["messages"]) - CLIENTS, (
        "every pushed message says when it was sent"
    )

"""Dead-letters API: what the pipeline gave up on, newest first, with the reason."""

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from schemas.dead_letters import DeadLetterReason
from tests.web.conftest import Seeder, doc_id_of

DEAD_LETTERS = "/api/v1/dead-letters"


async def test_dead_letters_are_listed_with_reasons(client: AsyncTestClient[Any], seed: Seeder) -> None:
    older = await seed.dead_letter(
        "clean", DeadLetterReason.ENCRYPTED, "the PDF is encrypted", doc_id_of("a")
    )
    newer = await seed.dead_letter("extract", DeadLetterReason.TIMEOUT, "extraction took over 600 s")

    response = await client.get(DEAD_LETTERS)

    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 50, 0)
    assert [item["id"] for item in page["items"]] == [str(newer), str(older)]
    latest, earliest = page["items"]
    assert (latest["stage"], latest["reason_code"], latest["reason"], latest["doc_id"]) == (
        "extract", "timeout", "extraction took over 600 s", None,
    )  # fmt: skip
    assert (earliest["reason_code"], earliest["doc_id"], earliest["topic"]) == (
        "encrypted", doc_id_of("a"), "webtest.clean",
    )  # fmt: skip
    assert set(latest) == {
        "id", "stage", "topic", "reason_code", "reason", "doc_id", "run_id", "payload_preview", "occurred_at",
        "status", "resolved_at", "resolved_by", "retry_run_id",
    }  # fmt: skip


async def test_dead_letters_are_filtered_by_stage_and_paged(
    client: AsyncTestClient[Any], seed: Seeder
) -> None:
    await seed.dead_letter("clean", DeadLetterReason.NOT_PDF, "not a PDF")
    wanted = await seed.dead_letter("clean", DeadLetterReason.EMPTY, "empty file")
    await seed.dead_letter("extract", DeadLetterReason.MALFORMED, "broken xref")

    page = (await client.get(DEAD_LETTERS, params={"stage": "clean", "limit": 1})).json()

    assert page["total"] == 2
    assert [item["id"] for item in page["items"]] == [str(wanted)]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"stage": "x" * 33}])
async def test_bad_dead_letter_parameters_are_400(
    client: AsyncTestClient[Any], params: dict[str, Any]
) -> None:
    response = await client.get(DEAD_LETTERS, params=params)

    assert response.status_code == 400


async def test_an_injection_looking_stage_matches_nothing(client: AsyncTestClient[Any], seed: Seeder) -> None:
    await seed.dead_letter("clean", DeadLetterReason.NOT_PDF, "not a PDF")

    page = (await client.get(DEAD_LETTERS, params={"stage": "' OR 1=1 --"})).json()

    assert (page["total"], page["items"]) == (0, [])

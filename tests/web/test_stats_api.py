"""Overview statistics and dataset series: the JSON the dashboard's charts draw."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.storage.records import add_dataset_if_absent, upsert_records
from schemas.dead_letters import DeadLetterReason
from schemas.documents import DocumentStatus
from schemas.records import ColumnSpec, ColumnType, DatasetSchema, ScoredRecord
from tests.web.conftest import Seeder, doc_id_of

STATS = "/api/v1/stats/overview"
ORDERS = DatasetSchema(
    columns=[
        ColumnSpec(name="id", type=ColumnType.INTEGER),
        ColumnSpec(name="amount", type=ColumnType.FLOAT),
        ColumnSpec(name="placed_at", type=ColumnType.DATETIME),
    ],
    key=["id"],
)


async def test_the_overview_counts_this_hours_work(client: AsyncTestClient[Any], seed: Seeder) -> None:
    await seed.stored_document("report", tables=[])
    await seed.document("waiting")
    await seed.document("broken", status=DocumentStatus.FAILED)
    await seed.dead_letter("clean", DeadLetterReason.NOT_PDF, "not a PDF", doc_id_of("broken"))

    response = await client.get(STATS)

    assert response.status_code == 200
    stats = response.json()
    assert stats["bucket"] == "hour"
    assert len(stats["buckets"]) == 25  # the hour 24 hours ago, and every hour since, this one included
    now = stats["buckets"][-1]
    assert (now["documents_received"], now["documents_stored"], now["pages_stored"], now["failures"]) == (
        3,
        1,
        2,
        1,
    )
    assert {q["stage"]: q["documents"] for q in stats["queue"]} == {
        "clean": 1,
        "extract": 0,
        "score": 0,
        "store": 0,
    }
    assert stats["documents_by_status"] == {
        "received": 1,
        "cleaned": 0,
        "extracted": 0,
        "stored": 1,
        "failed": 1,
    }
    assert stats["open_dead_letters"] == 1
    assert stats["throughput"]["documents_per_minute"] > 0


async def test_day_buckets_start_at_midnight_utc_of_since(client: AsyncTestClient[Any]) -> None:
    since = datetime.now(UTC) - timedelta(days=3)

    response = await client.get(STATS, params={"bucket": "day", "since": since.isoformat()})

    assert response.status_code == 200
    buckets = response.json()["buckets"]
    assert len(buckets) == 4
    assert buckets[0]["start"].startswith(f"{since.date().isoformat()}T00:00:00")


@pytest.mark.parametrize(
    "params",
    [
        {"bucket": "week"},
        {"since": "2999-01-01T00:00:00Z"},
        {"since": "2000-01-01T00:00:00Z"},
        {"since": "2024-01-01"},
    ],
)
async def test_a_bad_window_is_400(client: AsyncTestClient[Any], params: dict[str, str]) -> None:
    response = await client.get(STATS, params=params)

    assert response.status_code == 400


async def orders(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The dataset `orders` with three records, the second flagged as an anomaly."""
    records = [
        ScoredRecord(
            key=doc_id_of(str(n)),
            data={"id": n, "amount": amount, "placed_at": f"2024-06-0{n}T10:00:00+00:00"},
            anomaly_score=score,
            is_anomaly=score > 0.5,
            model_version="v1",
        )
        for n, amount, score in [(1, 10.0, 0.1), (2, 900.0, 0.9), (3, 12.5, 0.2)]
    ]
    async with sessions.begin() as session:
        await add_dataset_if_absent(session, "orders", ORDERS, inferred=False)
        await upsert_records(session, "orders", records, run_id=None)


async def test_a_dataset_column_over_time_flags_its_anomalies(
    client: AsyncTestClient[Any], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await orders(sessions)

    response = await client.get(
        "/api/v1/datasets/orders/series", params={"column": "amount", "time": "placed_at"}
    )

    assert response.status_code == 200
    series = response.json()
    assert [(p["value"], p["anomaly"]) for p in series["points"]] == [
        (10.0, False),
        (900.0, True),
        (12.5, False),
    ]
    assert series["points"][1]["at"].startswith("2024-06-02T10:00:00")
    assert series["truncated"] is False


async def test_a_series_keeps_the_newest_records_when_limited(
    client: AsyncTestClient[Any], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await orders(sessions)

    series = (await client.get("/api/v1/datasets/orders/series", params={"column": "id", "limit": 2})).json()

    assert (len(series["points"]), series["truncated"]) == (2, True)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"column": "placed_at"}, 409),
        ({"column": "amount", "time": "id"}, 409),
        ({}, 400),
        ({"column": "x", "limit": 0}, 400),
    ],
)
async def test_a_series_of_a_column_that_cannot_be_charted_is_refused(
    client: AsyncTestClient[Any],
    sessions: async_sessionmaker[AsyncSession],
    params: dict[str, Any],
    status: int,
) -> None:
    await orders(sessions)

    response = await client.get("/api/v1/datasets/orders/series", params=params)

    assert response.status_code == status


async def test_a_series_of_an_unknown_dataset_is_404(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/v1/datasets/nothing/series", params={"column": "amount"})

    assert response.status_code == 404

"""The schedules API: admins set, pause, resume and delete a task's schedule; tasks show their next fire."""

from datetime import UTC, datetime
from typing import Any

from litestar.testing import AsyncTestClient

from app.schedules.cron import CronSchedule
from schemas.auth import Role
from tests.web.conftest import as_role

SCHEDULE = "/api/v1/tasks/full-pipeline/schedule"
DAILY = {"cron": "0 4 * * *", "timezone": "America/Toronto", "documents": "failed"}


def parsed(moment: str) -> datetime:
    """A datetime from the API's ISO 8601 text."""
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


async def test_an_admin_creates_a_schedule_and_the_task_shows_its_next_fire(
    client: AsyncTestClient[Any],
) -> None:
    before = datetime.now(UTC)

    created = await client.put(SCHEDULE, json=DAILY)
    task = (await client.get("/api/v1/tasks/full-pipeline")).json()
    listed = (await client.get("/api/v1/tasks")).json()

    assert created.status_code == 200, created.text
    body = created.json()
    expected = CronSchedule.parse("0 4 * * *", "America/Toronto").upcoming(before, 5)
    assert body["task"] == "full-pipeline"
    assert (body["cron"], body["timezone"], body["documents"], body["enabled"]) == (
        "0 4 * * *",
        "America/Toronto",
        "failed",
        True,
    )
    assert body["description"] == "At 04:00 every day"
    assert parsed(body["next_run_at"]) == expected[0]
    assert [parsed(moment) for moment in body["upcoming"]] == expected
    assert (body["last_fired_at"], body["last_run_id"]) == (None, None)
    assert task["schedule"] == body
    assert {item["slug"]: item["schedule"] for item in listed}["full-pipeline"] == body
    assert all(item["schedule"] is None for item in listed if item["slug"] != "full-pipeline")
    assert (await client.get("/api/v1/schedules")).json() == [body]


async def test_editing_the_cron_expression_moves_the_next_fire(client: AsyncTestClient[Any]) -> None:
    await client.put(SCHEDULE, json=DAILY)

    edited = await client.put(SCHEDULE, json={**DAILY, "cron": "30 2 * * 1-5", "timezone": "Europe/Paris"})

    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["cron"], body["timezone"]) == ("30 2 * * 1-5", "Europe/Paris")
    assert body["description"] == "At 02:30 on Monday through Friday"
    fire = parsed(body["next_run_at"]).astimezone(CronSchedule.parse("0 4 * * *", "Europe/Paris").zone)
    assert (fire.hour, fire.minute) == (2, 30) and fire.isoweekday() <= 5


async def test_pausing_stops_the_next_fire_and_resuming_brings_it_back(client: AsyncTestClient[Any]) -> None:
    await client.put(SCHEDULE, json=DAILY)

    paused = await client.post(f"{SCHEDULE}/pause")
    task = (await client.get("/api/v1/tasks/full-pipeline")).json()
    resumed = await client.post(f"{SCHEDULE}/resume")

    assert paused.status_code == 200, paused.text
    assert (paused.json()["enabled"], paused.json()["next_run_at"], paused.json()["upcoming"]) == (
        False,
        None,
        [],
    )
    assert task["schedule"]["enabled"] is False
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["enabled"] is True
    assert parsed(resumed.json()["next_run_at"]) > datetime.now(UTC)


async def test_a_schedule_saved_disabled_has_no_next_fire(client: AsyncTestClient[Any]) -> None:
    response = await client.put(SCHEDULE, json={**DAILY, "enabled": False})

    assert response.status_code == 200, response.text
    assert (response.json()["enabled"], response.json()["next_run_at"]) == (False, None)


async def test_deleting_a_schedule_removes_it_from_the_task(client: AsyncTestClient[Any]) -> None:
    await client.put(SCHEDULE, json=DAILY)

    deleted = await client.delete(SCHEDULE)
    again = await client.delete(SCHEDULE)
    task = (await client.get("/api/v1/tasks/full-pipeline")).json()

    assert deleted.status_code == 204
    assert again.status_code == 404 and again.json()["detail"] == "task 'full-pipeline' has no schedule"
    assert task["schedule"] is None
    assert (await client.get("/api/v1/schedules")).json() == []


async def test_an_invalid_cron_expression_is_a_400_saying_what_is_wrong(client: AsyncTestClient[Any]) -> None:
    bad_minute = await client.put(SCHEDULE, json={**DAILY, "cron": "61 4 * * *"})
    too_few = await client.put(SCHEDULE, json={**DAILY, "cron": "0 4 * *"})

    assert bad_minute.status_code == 400
    assert bad_minute.json()["detail"] == "invalid cron expression '61 4 * * *': bad minute"
    assert too_few.status_code == 400
    assert "it needs five fields (minute hour day-of-month month day-of-week)" in too_few.json()["detail"]
    assert (await client.get("/api/v1/schedules")).json() == []


async def test_an_unknown_time_zone_is_a_400_naming_it(client: AsyncTestClient[Any]) -> None:
    response = await client.put(SCHEDULE, json={**DAILY, "timezone": "Mars/Olympus"})

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "unknown time zone 'Mars/Olympus': use an IANA name such as 'America/Toronto'"
    )


async def test_live_ingestion_cannot_be_scheduled_and_unknown_tasks_are_404(
    client: AsyncTestClient[Any],
) -> None:
    live = await client.put("/api/v1/tasks/live-ingestion/schedule", json=DAILY)
    unknown = await client.put("/api/v1/tasks/no-such-task/schedule", json=DAILY)

    assert live.status_code == 409
    assert live.json()["detail"] == "Live Ingestion runs by itself and cannot be scheduled"
    assert unknown.status_code == 404


async def test_a_schedule_over_unknown_documents_is_refused(client: AsyncTestClient[Any]) -> None:
    response = await client.put(SCHEDULE, json={**DAILY, "documents": ["0" * 64]})

    assert response.status_code == 404
    assert response.json()["detail"] == f"no document with id {'0' * 64}"


async def test_only_admins_change_schedules_and_viewers_read_them(
    client: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    await client.put(SCHEDULE, json=DAILY)
    operator = as_role(client, tokens, Role.OPERATOR)

    refused = await operator.put(SCHEDULE, json=DAILY)
    listed = await as_role(client, tokens, Role.VIEWER).get("/api/v1/schedules")

    assert refused.status_code == 403
    assert listed.status_code == 200 and [item["task"] for item in listed.json()] == ["full-pipeline"]

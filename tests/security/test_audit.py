"""The audit log: every state-changing request (refused ones too), readable by admins only."""

from typing import Any

from litestar.testing import AsyncTestClient

from schemas.auth import Role
from tests.web.conftest import bearer

AUDIT = "/api/v1/audit"
USERS = "/api/v1/users"


async def entries(client: AsyncTestClient[Any], **params: str) -> list[dict[str, Any]]:
    """The audit log as the admin `client` reads it, newest first."""
    response = await client.get(AUDIT, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_state_changing_request_is_audited_with_who_what_when_and_where(
    client: AsyncTestClient[Any],
) -> None:
    body = {"name": "alice", "role": "operator", "password": "a long enough password"}
    created = await client.post(USERS, json=body, headers={"User-Agent": "audit-test/1.0"})

    [entry] = await entries(client)

    assert created.status_code == 201
    assert {k: entry[k] for k in ("user", "token_label", "method", "route", "action", "status_code")} == {
        "user": "admin", "token_label": "tests", "method": "POST", "route": "/api/v1/users",
        "action": "CreateUser", "status_code": 201,
    }  # fmt: skip
    assert (entry["client_ip"], entry["user_agent"]) == ("testclient", "audit-test/1.0")
    assert entry["detail"] == "created user 'alice' as operator"
    assert entry["user_id"] is not None and entry["occurred_at"]


async def test_the_changed_resource_is_named(client: AsyncTestClient[Any]) -> None:
    viewer = next(u for u in (await client.get(USERS)).json()["items"] if u["name"] == "viewer")
    await client.patch(f"{USERS}/{viewer['id']}", json={"role": "operator"})

    [entry] = await entries(client)

    assert (entry["action"], entry["route"]) == ("UpdateUser", "/api/v1/users/{user_id}")
    assert entry["resource_id"] == f"user_id={viewer['id']}"
    assert entry["detail"] == "changed role of 'viewer'"


async def test_refused_requests_are_audited_too(
    client: AsyncTestClient[Any], anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    await anonymous.post("/api/v1/documents", headers=bearer(tokens[Role.VIEWER]), files={"file": b"x"})
    await anonymous.post(USERS, json={})

    anonymous_entry, viewer_entry = await entries(client)

    assert (viewer_entry["user"], viewer_entry["status_code"]) == ("viewer", 403)
    assert (anonymous_entry["user"], anonymous_entry["status_code"]) == (None, 401)


async def test_reads_are_not_audited(client: AsyncTestClient[Any]) -> None:
    for path in ("/api/v1/documents", USERS, AUDIT, "/health/live"):
        await client.get(path)

    assert await entries(client) == []


async def test_only_admins_read_the_audit_log(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    response = await anonymous.get(AUDIT, headers=bearer(tokens[Role.OPERATOR]))

    assert response.status_code == 403


async def test_the_user_filter_treats_sql_as_plain_text(client: AsyncTestClient[Any]) -> None:
    await client.post(USERS, json={})

    injected = await entries(client, user="' OR '1'='1")
    by_name = await entries(client, user="admin")

    assert injected == []
    assert [entry["status_code"] for entry in by_name] == [400]

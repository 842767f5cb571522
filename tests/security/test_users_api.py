"""Users API and accounts: argon2 hashes, roles, deactivation, the first-start admin."""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.security.accounts import ensure_admin
from app.security.authentication import log_in
from app.storage.users import UserRow
from schemas.auth import Role
from tests.web.conftest import bearer

USERS = "/api/v1/users"
NEW_PASSWORD = "a long enough password"


async def test_an_admin_creates_a_user_whose_password_is_stored_as_argon2(
    client: AsyncTestClient[Any], sessions: async_sessionmaker[AsyncSession]
) -> None:
    response = await client.post(USERS, json={"name": "alice", "role": "operator", "password": NEW_PASSWORD})

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("name", "role", "active")} == {
        "name": "alice",
        "role": "operator",
        "active": True,
    }
    assert "password" not in response.text and "hash" not in response.text
    async with sessions() as session:
        stored = await session.scalar(sa.select(UserRow.password_hash).where(UserRow.name == "alice"))
    assert stored is not None and stored.startswith("$argon2id$") and NEW_PASSWORD not in stored


async def test_a_taken_name_is_409(client: AsyncTestClient[Any]) -> None:
    response = await client.post(USERS, json={"name": "viewer", "role": "admin", "password": NEW_PASSWORD})

    assert (response.status_code, response.json()["detail"]) == (409, "a user named 'viewer' already exists")


async def test_names_and_passwords_are_validated(client: AsyncTestClient[Any]) -> None:
    bad = [
        {"name": "../../etc/passwd", "role": "viewer", "password": NEW_PASSWORD},
        {"name": "x'; DROP TABLE users; --", "role": "viewer", "password": NEW_PASSWORD},
        {"name": "bob", "role": "root", "password": NEW_PASSWORD},
        {"name": "bob", "role": "viewer", "password": "short"},
        {"name": "bob", "role": "viewer", "password": NEW_PASSWORD, "is_admin": True},
    ]
    statuses = [(await client.post(USERS, json=body)).status_code for body in bad]

    assert statuses == [400] * len(bad)
    assert [user["name"] for user in (await client.get(USERS)).json()["items"]] == [
        "admin",
        "operator",
        "viewer",
    ]


async def test_an_admin_changes_a_role_and_the_token_follows(
    client: AsyncTestClient[Any], anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    viewer = next(u for u in (await client.get(USERS)).json()["items"] if u["name"] == "viewer")

    response = await client.patch(f"{USERS}/{viewer['id']}", json={"role": "admin"})

    assert (response.status_code, response.json()["role"]) == (200, "admin")
    promoted = await anonymous.get(USERS, headers=bearer(tokens[Role.VIEWER]))
    assert promoted.status_code == 200


async def test_a_deactivated_users_tokens_stop_working(
    client: AsyncTestClient[Any], anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    operator = next(u for u in (await client.get(USERS)).json()["items"] if u["name"] == "operator")

    response = await client.patch(f"{USERS}/{operator['id']}", json={"active": False})

    assert (response.status_code, response.json()["active"]) == (200, False)
    refused = await anonymous.get("/api/v1/session", headers=bearer(tokens[Role.OPERATOR]))
    assert refused.status_code == 401


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client: AsyncTestClient[Any]) -> None:
    admin = next(u for u in (await client.get(USERS)).json()["items"] if u["name"] == "admin")

    demote = await client.patch(f"{USERS}/{admin['id']}", json={"role": "viewer"})
    deactivate = await client.patch(f"{USERS}/{admin['id']}", json={"active": False})

    assert (demote.status_code, deactivate.status_code) == (409, 409)


async def test_an_operator_cannot_manage_users(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    body = {"name": "mallory", "role": "admin", "password": NEW_PASSWORD}

    response = await anonymous.post(USERS, json=body, headers=bearer(tokens[Role.OPERATOR]))

    assert response.status_code == 403


async def test_first_start_creates_admin_with_a_generated_password_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    generated = await ensure_admin(sessions, None)
    second = await ensure_admin(sessions, None)

    assert generated is not None and len(generated) >= 16
    assert second is None
    assert await log_in(sessions, "admin", generated, timedelta(hours=1)) is not None


async def test_first_start_uses_the_configured_admin_password(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert await ensure_admin(sessions, "from the environment") is None
    assert await log_in(sessions, "admin", "from the environment", timedelta(hours=1)) is not None
    assert await log_in(sessions, "admin", "something else", timedelta(hours=1)) is None

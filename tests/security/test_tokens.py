"""API tokens: bearer authentication, hashed storage, listing without secrets, expiry and revocation."""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.security.authentication import issue_token
from app.storage.tokens import CredentialRow
from schemas.auth import Role
from tests.web.conftest import bearer

TOKENS = "/api/v1/tokens"
WHO_AM_I = "/api/v1/session"


async def test_a_token_authenticates_as_its_user_with_that_users_role(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    response = await anonymous.get(WHO_AM_I, headers=bearer(tokens[Role.OPERATOR]))

    assert response.json() == {
        "name": "operator", "role": "operator", "via": "token", "token_label": "tests", "csrf_token": None,
    }  # fmt: skip


async def test_tokens_are_stored_only_as_their_sha256(
    sessions: async_sessionmaker[AsyncSession], tokens: dict[Role, str]
) -> None:
    secret = tokens[Role.VIEWER]
    async with sessions() as session:
        stored = (await session.scalars(sa.select(CredentialRow.secret_sha256))).all()

    assert secret.startswith("hw_") and len(secret) == 3 + 43
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert all(secret not in value for value in stored)


async def test_creating_a_token_shows_the_secret_once_and_listing_never_does(
    client: AsyncTestClient[Any], anonymous: AsyncTestClient[Any]
) -> None:
    created = await client.post(TOKENS, json={"user": "viewer", "label": "grafana", "expires_in_days": 30})
    listing = await client.get(TOKENS, params={"user": "viewer"})

    assert created.status_code == 201
    body = created.json()
    assert (body["user"], body["label"], body["prefix"]) == ("viewer", "grafana", body["token"][:10])
    assert body["expires_at"] is not None and body["revoked_at"] is None
    assert body["token"] not in listing.text
    assert {item["label"] for item in listing.json()["items"]} == {"tests", "grafana"}
    assert all("token" not in item for item in listing.json()["items"])
    works = await anonymous.get(WHO_AM_I, headers=bearer(body["token"]))
    assert (works.status_code, works.json()["role"]) == (200, "viewer")


async def test_a_viewer_token_cannot_upload(anonymous: AsyncTestClient[Any], tokens: dict[Role, str]) -> None:
    response = await anonymous.post(
        "/api/v1/documents", headers=bearer(tokens[Role.VIEWER]), files={"file": ("a.pdf", b"%PDF-1.4")}
    )

    assert (response.status_code, response.json()["detail"]) == (403, "requires the operator role")


async def test_revoked_token_is_401(
    client: AsyncTestClient[Any], anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    listed = (await client.get(TOKENS, params={"user": "viewer"})).json()["items"]
    token_id = listed[0]["id"]

    revoked = await client.delete(f"{TOKENS}/{token_id}")
    again = await client.delete(f"{TOKENS}/{token_id}")
    response = await anonymous.get(WHO_AM_I, headers=bearer(tokens[Role.VIEWER]))

    assert (revoked.status_code, again.status_code) == (204, 204)
    assert (response.status_code, response.json()["detail"]) == (401, "invalid, expired or revoked token")
    after = (await client.get(TOKENS, params={"user": "viewer"})).json()["items"]
    assert after[0]["revoked_at"] is not None


async def test_expired_token_is_401(
    anonymous: AsyncTestClient[Any], sessions: async_sessionmaker[AsyncSession], tokens: dict[Role, str]
) -> None:
    issued = await issue_token(sessions, "admin", "short-lived", timedelta(days=1))
    async with sessions.begin() as session:
        await session.execute(
            sa.update(CredentialRow)
            .where(CredentialRow.id == issued.credential.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    response = await anonymous.get(WHO_AM_I, headers=bearer(issued.secret))

    assert response.status_code == 401


async def test_forged_and_malformed_credentials_are_401(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    admin = tokens[Role.ADMIN]
    forged = [
        {"Authorization": f"Bearer {admin[:-1]}{'A' if admin[-1] != 'A' else 'B'}"},  # one character off
        {"Authorization": "Bearer hw_" + "A" * 43},
        {"Authorization": "Bearer " + "x" * 10_000},
        {"Authorization": "Bearer ' OR '1'='1"},
        {"Authorization": f"Basic {admin}"},
        {"Authorization": "Bearer"},
    ]
    statuses = [(await anonymous.get(WHO_AM_I, headers=headers)).status_code for headers in forged]

    assert statuses == [401] * len(forged)


async def test_a_bad_bearer_token_never_falls_back_to_a_session_cookie(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    anonymous.cookies.set("headwater_session", "hws_whatever")

    response = await anonymous.get(WHO_AM_I, headers=bearer("hw_forged"))

    assert response.status_code == 401


async def test_last_use_is_recorded(
    anonymous: AsyncTestClient[Any], client: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    before = (await client.get(TOKENS, params={"user": "viewer"})).json()["items"][0]["last_used_at"]
    await anonymous.get(WHO_AM_I, headers=bearer(tokens[Role.VIEWER]))
    after = (await client.get(TOKENS, params={"user": "viewer"})).json()["items"][0]["last_used_at"]

    assert before is None
    assert datetime.fromisoformat(after) > datetime.now(UTC) - timedelta(minutes=1)


async def test_a_token_of_an_unknown_user_is_404(client: AsyncTestClient[Any]) -> None:
    response = await client.post(TOKENS, json={"user": "nobody", "label": "x"})

    assert (response.status_code, response.json()["detail"]) == (404, "no user named 'nobody'")

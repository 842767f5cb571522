"""Hardening: host checking, security headers, body limits, hostile file names and filters."""

import hashlib
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from schemas.auth import Role
from tests.web.conftest import TEST_HOST, bearer
from web.app import create_app
from web.services import WebServices


async def test_an_unknown_host_is_400(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health/live", headers={"Host": "evil.example"})

    assert response.status_code == 400


async def test_an_allowed_host_is_answered_on_any_port(client: AsyncTestClient[Any]) -> None:
    for host in (TEST_HOST, f"{TEST_HOST}:8443"):
        response = await client.get("/health/live", headers={"Host": host})
        assert (host, response.status_code) == (host, 200)


async def test_errors_carry_the_security_headers_too(anonymous: AsyncTestClient[Any]) -> None:
    for path in ("/api/v1/documents", "/no/such/route"):
        response = await anonymous.get(path)
        assert response.status_code in (401, 404)
        assert "script-src 'self';" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


async def test_hsts_only_over_https(services: WebServices) -> None:
    async with AsyncTestClient(app=create_app(services), base_url=f"https://{TEST_HOST}") as client:
        secure = await client.get("/health/live")
    async with AsyncTestClient(app=create_app(services)) as client:
        plain = await client.get("/health/live")

    assert secure.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in plain.headers


async def test_an_oversized_upload_is_413(client: AsyncTestClient[Any]) -> None:
    huge = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)  # the tests' limit is 1 MiB

    response = await client.post("/api/v1/documents", files={"file": ("big.pdf", huge, "application/pdf")})

    assert response.status_code == 413
    assert (await client.get("/api/v1/documents")).json()["total"] == 0


async def test_an_oversized_json_body_is_413(client: AsyncTestClient[Any]) -> None:
    body = {"name": "bob", "role": "viewer", "password": "p" * (2 * 1024 * 1024)}

    response = await client.post("/api/v1/users", json=body)

    assert response.status_code == 413


async def test_a_path_traversal_file_name_is_only_a_label(
    client: AsyncTestClient[Any], small_pdf: Path, services: WebServices, tmp_path: Path
) -> None:
    content = small_pdf.read_bytes()
    files = {"file": ("../../../../tmp/evil/../passwd", content, "application/pdf")}

    response = await client.post("/api/v1/documents", files=files)

    doc_id = hashlib.sha256(content).hexdigest()
    assert (response.status_code, response.json()["doc_id"]) == (202, doc_id)
    assert (await client.get(f"/api/v1/documents/{doc_id}")).json()["filename"] == "passwd"
    assert services.blobs.path(doc_id).resolve().is_relative_to(services.settings.blob_dir.resolve())
    assert not list(tmp_path.rglob("passwd"))


async def test_sql_injection_strings_in_filters_are_just_values(client: AsyncTestClient[Any]) -> None:
    injection = "' OR '1'='1' --"
    answers = {
        "status filter": await client.get("/api/v1/documents", params={"status": injection}),
        "stage filter": await client.get("/api/v1/dead-letters", params={"stage": injection}),
        "document id": await client.get(f"/api/v1/documents/{injection}"),
        "token user": await client.get("/api/v1/tokens", params={"user": injection}),
    }

    assert {name: r.status_code for name, r in answers.items()} == {
        "status filter": 400, "stage filter": 200, "document id": 404, "token user": 404,
    }  # fmt: skip
    assert answers["stage filter"].json()["total"] == 0
    assert len((await client.get("/api/v1/users")).json()["items"]) == 3  # the table is intact


async def test_bearer_requests_need_no_csrf_token(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    response = await anonymous.post(
        "/api/v1/tokens", json={"user": "viewer", "label": "ci"}, headers=bearer(tokens[Role.ADMIN])
    )

    assert response.status_code == 201

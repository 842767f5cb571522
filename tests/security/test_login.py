"""Browser login: the form, the session cookie, CSRF on cookie requests, logout, rate limiting."""

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from app.security.accounts import update_user
from app.storage.users import get_user_by_name
from schemas.auth import Role
from tests.web.conftest import PASSWORD, TEST_HOST, Ingest
from web.app import create_app
from web.security.authentication import SESSION_COOKIE
from web.security.csrf import CSRF_COOKIE, CSRF_HEADER
from web.services import WebServices

_CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]*)"')


async def log_in(
    client: AsyncTestClient[Any], name: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    """Open the login page and submit its form, as a browser would."""
    page = await client.get("/login")
    match = _CSRF_FIELD.search(page.text)
    assert match is not None, page.text
    form = {"username": name, "password": password, "_csrf_token": match.group(1), **extra}
    return await client.post("/login", data=form, follow_redirects=False)


async def test_login_page_is_public_and_runs_no_inline_script(anonymous: AsyncTestClient[Any]) -> None:
    response = await anonymous.get("/login")

    assert response.status_code == 200
    assert "<script" not in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_logging_in_sets_an_httponly_samesite_session_cookie(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    response = await log_in(anonymous, "viewer")

    assert (response.status_code, response.headers["location"]) == (303, "/")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "max-age"} <= attributes
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in attributes  # plain HTTP: a Secure cookie would never come back


async def test_session_cookie_is_secure_when_configured(
    services: WebServices, tokens: dict[Role, str]
) -> None:
    secure = services.settings.model_copy(update={"session_cookie_secure": True})
    app = create_app(replace(services, settings=secure))
    async with AsyncTestClient(app=app, base_url=f"https://{TEST_HOST}") as client:
        response = await log_in(client, "viewer")

    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


async def test_the_session_cookie_authenticates_api_reads(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    await log_in(anonymous, "viewer")

    me = await anonymous.get("/api/v1/session")
    documents = await anonymous.get("/api/v1/documents")

    assert me.status_code == 200
    assert {k: me.json()[k] for k in ("name", "role", "via", "token_label")} == {
        "name": "viewer", "role": "viewer", "via": "session", "token_label": None,
    }  # fmt: skip
    assert me.json()["csrf_token"] == anonymous.cookies[CSRF_COOKIE]
    assert documents.status_code == 200


async def test_cross_site_post_without_csrf_token_is_403(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str], small_pdf: Path, ingest: Ingest
) -> None:
    await log_in(anonymous, "operator")
    files = {"file": ("a.pdf", small_pdf.read_bytes(), "application/pdf")}

    response = await anonymous.post("/api/v1/documents", files=files)

    assert (response.status_code, response.json()["detail"]) == (403, "CSRF token verification failed")
    ingest.on_document_submitted.mock.assert_not_called()


async def test_cookie_post_with_the_csrf_token_is_accepted(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str], small_pdf: Path
) -> None:
    await log_in(anonymous, "operator")
    files = {"file": ("a.pdf", small_pdf.read_bytes(), "application/pdf")}

    response = await anonymous.post(
        "/api/v1/documents", files=files, headers={CSRF_HEADER: anonymous.cookies[CSRF_COOKIE]}
    )

    assert response.status_code == 202


async def test_a_forged_csrf_token_is_403(anonymous: AsyncTestClient[Any], tokens: dict[Role, str]) -> None:
    await log_in(anonymous, "viewer")

    response = await anonymous.post("/logout", headers={CSRF_HEADER: "0" * 128})

    assert response.status_code == 403


async def test_login_form_without_csrf_token_is_403(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    await anonymous.get("/login")

    response = await anonymous.post("/login", data={"username": "viewer", "password": PASSWORD})

    assert response.status_code == 403
    assert SESSION_COOKIE not in anonymous.cookies


async def test_wrong_password_and_unknown_user_are_401_without_a_session(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    wrong = await log_in(anonymous, "viewer", "not the password")
    unknown = await log_in(anonymous, "nobody", PASSWORD)

    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong name or password." in wrong.text
    assert SESSION_COOKIE not in anonymous.cookies


async def test_logout_ends_the_session_even_for_a_copied_cookie(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    await log_in(anonymous, "viewer")
    stolen = anonymous.cookies[SESSION_COOKIE]

    response = await anonymous.post(
        "/logout", headers={CSRF_HEADER: anonymous.cookies[CSRF_COOKIE]}, follow_redirects=False
    )
    anonymous.cookies.set(SESSION_COOKIE, stolen)
    replayed = await anonymous.get("/api/v1/session")

    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert replayed.status_code == 401


async def test_login_is_rate_limited(anonymous: AsyncTestClient[Any], tokens: dict[Role, str]) -> None:
    limit = 5  # login_attempts_per_minute in tests/security/conftest.py
    statuses = [(await log_in(anonymous, "viewer", "guess")).status_code for _ in range(limit + 1)]

    assert statuses == [401] * limit + [429]
    assert (await anonymous.get("/health/live")).status_code == 200  # other routes are not limited


async def test_a_deactivated_user_can_neither_log_in_nor_use_an_open_session(
    anonymous: AsyncTestClient[Any], services: WebServices, tokens: dict[Role, str]
) -> None:
    await log_in(anonymous, "viewer")
    async with services.sessions() as session:
        viewer = await get_user_by_name(session, "viewer")
    assert viewer is not None
    await update_user(services.sessions, viewer.id, active=False)

    assert (await anonymous.get("/api/v1/session")).status_code == 401
    assert (await log_in(anonymous, "viewer")).status_code == 401


async def test_login_page_escapes_what_the_client_sent(anonymous: AsyncTestClient[Any]) -> None:
    response = await anonymous.get("/login", params={"next": '/"><script>alert(1)</script>'})

    assert "<script>" not in response.text
    assert 'value="/&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text


async def test_login_redirects_only_to_paths_on_this_site(
    anonymous: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    local = await log_in(anonymous, "viewer", next="/api/v1/documents")
    elsewhere = await log_in(anonymous, "viewer", next="//evil.example/phish")

    assert local.headers["location"] == "/api/v1/documents"
    assert elsewhere.headers["location"] == "/"

"""The dashboard's pages: who sees what, how anonymous browsers are sent to log in, and the CSP they keep."""

import re
import uuid
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from app.runs.tasks import TASKS
from schemas.auth import Role
from tests.security.test_login import log_in
from tests.web.conftest import TEST_HOST
from web.app import create_app
from web.security.access import WS_UNAUTHORIZED
from web.services import WebServices

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


async def browser(services: WebServices, role: Role) -> AsyncTestClient[Any]:
    """A client logged in through the form as the user of `role`, with its session cookie."""
    client = AsyncTestClient(app=create_app(services))
    await client.__aenter__()
    response = await log_in(client, role.value)
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
async def viewer(services: WebServices, tokens: dict[Role, str]) -> Any:
    client = await browser(services, Role.VIEWER)
    yield client
    await client.__aexit__(None, None, None)


@pytest.fixture
async def operator(services: WebServices, tokens: dict[Role, str]) -> Any:
    client = await browser(services, Role.OPERATOR)
    yield client
    await client.__aexit__(None, None, None)


async def test_an_anonymous_browser_is_sent_to_the_login_form_and_back(
    anonymous: AsyncTestClient[Any],
) -> None:
    response = await anonymous.get("/tasks", follow_redirects=False)
    fragment = await anonymous.get("/tasks/rows", headers={"HX-Request": "true"}, follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/tasks")
    assert (fragment.status_code, fragment.headers["hx-redirect"]) == (401, "/login?next=/tasks/rows")


async def test_logging_in_leads_to_the_dashboard(services: WebServices, tokens: dict[Role, str]) -> None:
    async with AsyncTestClient(app=create_app(services)) as client:
        response = await log_in(client, "viewer")
        home = await client.get("/", follow_redirects=False)

    assert response.headers["location"] == "/"
    assert home.status_code == 200
    assert 'aria-current="page">Overview<' in home.text


async def test_a_viewer_sees_the_tasks_without_play_stop_or_upload_controls(
    viewer: AsyncTestClient[Any],
) -> None:
    response = await viewer.get("/tasks")

    assert response.status_code == 200
    assert "Full Pipeline" in response.text and "Live Ingestion" in response.text
    assert 'data-action="start"' not in response.text and 'id="dropzone"' not in response.text
    assert "viewer" in response.text and 'action="/logout"' in response.text
    assert 'href="/admin"' not in response.text


async def test_an_operator_may_start_every_task_but_live_ingestion(operator: AsyncTestClient[Any]) -> None:
    response = await operator.get("/tasks")

    startable = set(re.findall(r'data-action="start" data-task="([a-z-]+)"', response.text))
    assert startable == {slug for slug, task in TASKS.items() if task.startable}
    assert "full-pipeline" in startable and "live-ingestion" not in startable
    assert 'id="dropzone"' in response.text and 'type="file"' in response.text


async def test_pages_keep_the_strict_csp_no_inline_script_or_style(
    operator: AsyncTestClient[Any], anonymous: AsyncTestClient[Any]
) -> None:
    pages = [await operator.get(path) for path in ("/tasks", "/runs?task=&status=", "/tasks/rows")]
    pages.append(await anonymous.get("/login"))

    for response in pages:
        assert response.status_code == 200, response.url
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
        assert not INLINE_SCRIPT.search(response.text), response.url
        assert not INLINE_STYLE.search(response.text), response.url
        assert response.headers["cache-control"] == "no-store"
    assert '"includeIndicatorStyles": false' in pages[0].text


async def test_an_unknown_run_is_a_404_page(viewer: AsyncTestClient[Any]) -> None:
    response = await viewer.get(f"/runs/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "run not found" in response.text


async def test_static_files_are_public_and_typed(anonymous: AsyncTestClient[Any]) -> None:
    css = await anonymous.get("/static/app.css")
    script = await anonymous.get("/static/js/app.js")
    htmx = await anonymous.get("/static/vendor/htmx-2.0.11/htmx.min.js")

    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert htmx.status_code == 200
    assert (await anonymous.get("/static/../app.py")).status_code == 404


async def test_the_progress_socket_takes_the_session_cookie_from_this_site_only(
    viewer: AsyncTestClient[Any],
) -> None:
    with await viewer.websocket_connect("/ws/progress", headers={"Origin": f"http://{TEST_HOST}"}):
        pass  # accepted: the dashboard's own pages follow runs with the cookie
    with pytest.raises(WebSocketDisconnect) as refused:
        with await viewer.websocket_connect("/ws/progress", headers={"Origin": "http://evil.example"}):
            pass

    assert refused.value.code == WS_UNAUTHORIZED

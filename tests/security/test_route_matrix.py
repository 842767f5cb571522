"""Every route and every role: the declared matrix below is the access policy, and the app must match it.

A new route fails `test_route_role_matrix_covers_every_route` until it declares a role in its `opt`
(`web.security.access.requires(Role.X)` or `public()`) and is added here.
"""

import re
import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.routes import HTTPRoute, WebSocketRoute
from litestar.testing import AsyncTestClient

from schemas.auth import Role
from tests.web.conftest import bearer
from web.app import create_app
from web.security.access import PUBLIC, WS_FORBIDDEN, WS_UNAUTHORIZED, access_of
from web.security.csrf import CSRF_COOKIE, CSRF_HEADER
from web.services import WebServices

SQLITE_ONLY = pytest.mark.parametrize("database_kind", ["sqlite"])  # the policy does not depend on it

VIEWER, OPERATOR, ADMIN = Role.VIEWER, Role.OPERATOR, Role.ADMIN
MATRIX: dict[tuple[str, str], Role | str] = {
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): VIEWER,
    ("GET", "/api/v1/session"): VIEWER,
    ("GET", "/api/v1/documents"): VIEWER,
    ("POST", "/api/v1/documents"): OPERATOR,
    ("GET", "/api/v1/documents/{doc_id:str}"): VIEWER,
    ("GET", "/api/v1/documents/{doc_id:str}/tables/{table_file:str}"): VIEWER,
    ("GET", "/api/v1/dead-letters"): VIEWER,
    ("POST", "/api/v1/dead-letters/{letter_id:uuid}/retry"): OPERATOR,
    ("POST", "/api/v1/dead-letters/{letter_id:uuid}/discard"): OPERATOR,
    ("GET", "/api/v1/stats/overview"): VIEWER,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("PATCH", "/api/v1/users/{user_id:uuid}"): ADMIN,
    ("GET", "/api/v1/tokens"): ADMIN,
    ("POST", "/api/v1/tokens"): ADMIN,
    ("DELETE", "/api/v1/tokens/{token_id:uuid}"): ADMIN,
    ("GET", "/api/v1/audit"): ADMIN,
    ("GET", "/api/v1/tasks"): VIEWER,
    ("GET", "/api/v1/tasks/{slug:str}"): VIEWER,
    ("POST", "/api/v1/tasks/{slug:str}/runs"): OPERATOR,
    ("GET", "/api/v1/schedules"): VIEWER,
    ("PUT", "/api/v1/tasks/{slug:str}/schedule"): ADMIN,
    ("DELETE", "/api/v1/tasks/{slug:str}/schedule"): ADMIN,
    ("POST", "/api/v1/tasks/{slug:str}/schedule/pause"): ADMIN,
    ("POST", "/api/v1/tasks/{slug:str}/schedule/resume"): ADMIN,
    ("GET", "/api/v1/runs"): VIEWER,
    ("GET", "/api/v1/runs/{run_id:uuid}"): VIEWER,
    ("POST", "/api/v1/runs/{run_id:uuid}/cancel"): OPERATOR,
    ("POST", "/api/v1/runs/{run_id:uuid}/retry"): OPERATOR,
    ("WEBSOCKET", "/ws/progress"): VIEWER,
    ("PUT", "/api/v1/documents/{doc_id:str}/label"): OPERATOR,
    ("GET", "/api/v1/documents/{doc_id:str}/predictions"): VIEWER,
    ("GET", "/api/v1/datasets"): VIEWER,
    ("GET", "/api/v1/datasets/{name:str}"): VIEWER,
    ("PUT", "/api/v1/datasets/{name:str}/schema"): ADMIN,
    ("POST", "/api/v1/datasets/{name:str}/records"): OPERATOR,
    ("POST", "/api/v1/datasets/{name:str}/records/csv"): OPERATOR,
    ("GET", "/api/v1/datasets/{name:str}/records"): VIEWER,
    ("GET", "/api/v1/datasets/{name:str}/export"): VIEWER,
    ("GET", "/api/v1/datasets/{name:str}/series"): VIEWER,
    ("GET", "/api/v1/models"): VIEWER,
    ("GET", "/api/v1/models/{model_id:uuid}"): VIEWER,
    ("POST", "/api/v1/models/train"): ADMIN,
    ("POST", "/api/v1/models/{model_id:uuid}/activate"): ADMIN,
    ("GET", "/api/v1/sources"): VIEWER,
    ("POST", "/api/v1/sources"): ADMIN,
    ("GET", "/api/v1/sources/{source_id:uuid}"): VIEWER,
    ("PATCH", "/api/v1/sources/{source_id:uuid}"): ADMIN,
    ("DELETE", "/api/v1/sources/{source_id:uuid}"): ADMIN,
    ("GET", "/api/docs"): VIEWER,
    ("GET", "/api/docs/swagger"): VIEWER,
    ("GET", "/api/docs/swagger-init.js"): VIEWER,
    ("GET", "/api/docs/openapi.json"): VIEWER,
    ("GET", "/api/docs/{path:str}"): VIEWER,
    ("GET", "/"): VIEWER,
    ("GET", "/tasks"): VIEWER,
    ("GET", "/tasks/rows"): VIEWER,
    ("GET", "/runs"): VIEWER,
    ("GET", "/runs/rows"): VIEWER,
    ("GET", "/runs/{run_id:uuid}"): VIEWER,
    ("GET", "/runs/{run_id:uuid}/documents"): VIEWER,
    ("GET", "/documents"): VIEWER,
    ("GET", "/documents/{doc_id:str}"): VIEWER,
    ("GET", "/datasets"): VIEWER,
    ("GET", "/datasets/{name:str}"): VIEWER,
    ("GET", "/dead-letters"): VIEWER,
    ("GET", "/admin"): ADMIN,
    ("GET", "/admin/users"): ADMIN,
    ("GET", "/admin/tokens"): ADMIN,
    ("GET", "/admin/sources"): ADMIN,
    ("GET", "/admin/schedules"): ADMIN,
    ("GET", "/admin/models"): ADMIN,
    ("GET", "/admin/audit"): ADMIN,
    ("GET", "/static/{file_path:path}"): PUBLIC,
    ("HEAD", "/static/{file_path:path}"): PUBLIC,
}
"""(method, path) -> the least role that may call it, or PUBLIC. OPTIONS (automatic) is left out."""
WS_CODES = {None: 0, 401: WS_UNAUTHORIZED, 403: WS_FORBIDDEN}
NOT_PAGES = ("/api/", "/ws/", "/health/", "/login", "/logout", "/static/")
CALLERS: list[Role | None] = [None, *Role]
_PARAM = re.compile(r"\{(\w+):(\w+)\}")


def declared_decisions(app: Litestar) -> dict[tuple[str, str], Role | str | None]:
    """What every registered route declares, read from the app itself."""
    decisions: dict[tuple[str, str], Role | str | None] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method, (handler, _) in route.route_handler_map.items():
                if method != "OPTIONS":
                    decisions[(str(method), route.path)] = access_of(handler)
        elif isinstance(route, WebSocketRoute):
            decisions[("WEBSOCKET", route.path)] = access_of(route.route_handler)
        else:  # an ASGI mount: nothing could check it
            decisions[("ASGI", route.path)] = None
    return decisions


def concrete(path: str) -> str:
    """The path with a plausible value for each parameter."""
    return _PARAM.sub(lambda m: str(uuid.uuid4()) if m.group(2) == "uuid" else "1", path)


async def handshake(client: AsyncTestClient[Any], path: str, headers: dict[str, str]) -> int:
    """0 if the WebSocket handshake is accepted, else the close code it was refused with."""
    try:
        with await client.websocket_connect(concrete(path), headers=headers):
            return 0
    except WebSocketDisconnect as refusal:
        return refusal.code


def is_page(method: str, path: str) -> bool:
    """A dashboard page: any GET outside the API, WebSocket, health, login and static routes.

    Pages need the same roles as everything else, but an anonymous browser is redirected to the
    login form (303 to /login?next=...) instead of getting a 401.
    """
    return method == "GET" and not path.startswith(NOT_PAGES)


def refused(response: httpx.Response) -> bool:
    """True if the access guard refused the request (a wrong password's 401 has no challenge)."""
    challenged = response.status_code == 401 and response.headers.get("www-authenticate") == "Bearer"
    return challenged or response.status_code == 403


def expected_denial(decision: Role | str, caller: Role | None) -> int | None:
    """401 or 403 if `caller` must be refused, None if it must get through to the handler."""
    if decision == PUBLIC:
        return None
    assert isinstance(decision, Role)
    if caller is None:
        return 401
    return None if caller.includes(decision) else 403


@SQLITE_ONLY
async def test_route_role_matrix_covers_every_route(services: WebServices) -> None:
    decisions = declared_decisions(create_app(services))

    undeclared = sorted(key for key, decision in decisions.items() if decision is None)
    assert undeclared == [], "these routes declare no role: add opt=requires(Role.X) or public()"
    assert decisions == MATRIX


@SQLITE_ONLY
async def test_every_route_answers_every_role_as_the_matrix_says(
    services: WebServices, tokens: dict[Role, str]
) -> None:
    outcomes: dict[tuple[str, str, str], int] = {}
    async with AsyncTestClient(app=create_app(services)) as client:
        csrf = (await client.get("/login")).cookies[CSRF_COOKIE]  # an anonymous browser has this too
        for (method, path), decision in MATRIX.items():
            for caller in CALLERS:
                headers = bearer(tokens[caller]) if caller else {CSRF_HEADER: csrf}
                denial = expected_denial(decision, caller)
                if method == "WEBSOCKET":
                    outcomes[(method, path, str(caller))] = await handshake(client, path, headers)
                    assert outcomes[(method, path, str(caller))] == WS_CODES[denial], (path, caller)
                    continue
                response = await client.request(
                    method, concrete(path), headers=headers, json={}, follow_redirects=False
                )
                outcomes[(method, path, str(caller))] = response.status_code
                if denial is None:
                    assert not refused(response), (method, path, caller, response.text)
                elif denial == 401 and is_page(method, path):
                    assert response.status_code == 303, (method, path, response.text)
                    assert response.headers["location"].startswith("/login?next="), path
                else:
                    assert response.status_code == denial, (method, path, caller, response.text)
                    assert refused(response)
    assert len(outcomes) == len(MATRIX) * len(CALLERS)


def test_the_matrix_gives_each_role_strictly_more() -> None:
    allowed = {
        role: {key for key, decision in MATRIX.items() if expected_denial(decision, role) is None}
        for role in Role
    }
    assert allowed[VIEWER] < allowed[OPERATOR] < allowed[ADMIN]
    assert ("POST", "/api/v1/documents") in allowed[OPERATOR] - allowed[VIEWER]
    assert ("GET", "/api/v1/audit") in allowed[ADMIN] - allowed[OPERATOR]

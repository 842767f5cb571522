"""The access guard: fail closed on undeclared routes, and guard the WebSocket handshake too."""

from typing import Any

import pytest
from litestar import Litestar, WebSocket, get, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from schemas.auth import Role
from tests.web.conftest import bearer
from web.security import security_layer
from web.security.access import WS_FORBIDDEN, WS_UNAUTHORIZED, requires
from web.services import WebServices

SQLITE_ONLY = pytest.mark.parametrize("database_kind", ["sqlite"])


@get("/undeclared", sync_to_thread=False)
def undeclared() -> str:
    """A route whose author forgot to declare who may call it."""
    return "secret"


@websocket("/ws/progress", opt=requires(Role.OPERATOR))
async def progress(socket: WebSocket[Any, Any, Any]) -> None:
    """A WebSocket for operators: greets the caller by name."""
    await socket.accept()
    await socket.send_json({"hello": socket.user.name})
    await socket.close()


def secured_app(services: WebServices) -> Litestar:
    """A small app with the real security layer and the two routes above."""
    layer = security_layer(services)
    return Litestar(
        route_handlers=[undeclared, progress, *layer.route_handlers],
        guards=layer.guards,
        middleware=layer.middleware,
        before_send=layer.before_send,
        dependencies=services.dependencies(),
    )


@SQLITE_ONLY
async def test_a_route_without_a_declared_role_is_refused_even_to_admins(
    services: WebServices, tokens: dict[Role, str]
) -> None:
    async with AsyncTestClient(app=secured_app(services)) as client:
        admin = await client.get("/undeclared", headers=bearer(tokens[Role.ADMIN]))
        anonymous = await client.get("/undeclared")

    assert (admin.status_code, admin.json()["detail"]) == (403, "no access rule")
    assert anonymous.status_code == 401


@SQLITE_ONLY
async def test_websocket_refuses_the_handshake_without_credentials(services: WebServices) -> None:
    async with AsyncTestClient(app=secured_app(services)) as client:
        with pytest.raises(WebSocketDisconnect) as refused:
            with await client.websocket_connect("/ws/progress"):
                pass

    assert refused.value.code == WS_UNAUTHORIZED


@SQLITE_ONLY
async def test_websocket_refuses_a_forged_token_and_a_too_small_role(
    services: WebServices, tokens: dict[Role, str]
) -> None:
    async with AsyncTestClient(app=secured_app(services)) as client:
        with pytest.raises(WebSocketDisconnect) as forged:
            with await client.websocket_connect("/ws/progress", headers=bearer("hw_" + "A" * 43)):
                pass
        with pytest.raises(WebSocketDisconnect) as viewer:
            with await client.websocket_connect("/ws/progress", headers=bearer(tokens[Role.VIEWER])):
                pass

    assert (forged.value.code, viewer.value.code) == (WS_UNAUTHORIZED, WS_FORBIDDEN)


@SQLITE_ONLY
async def test_websocket_accepts_an_operator_token(services: WebServices, tokens: dict[Role, str]) -> None:
    async with AsyncTestClient(app=secured_app(services)) as client:
        session = await client.websocket_connect("/ws/progress", headers=bearer(tokens[Role.OPERATOR]))
        with session:
            assert session.receive_json() == {"hello": "operator"}

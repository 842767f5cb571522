"""Host header checking with Litestar's `AllowedHostsConfig`, on any port.

Litestar compares the whole Host header, port included, so `localhost` would refuse
`localhost:8000`. We match the host name alone (or host:port, if a port is listed).
"""

from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_400_BAD_REQUEST
from litestar.types import Receive, Scope, Send


def allowed_hosts_config(hosts: list[str]) -> AllowedHostsConfig:
    """The config for `hosts` (IPv6 addresses with or without brackets)."""
    return AllowedHostsConfig(allowed_hosts=[host.strip("[]") for host in hosts])


def host_name(host_header: str) -> str:
    """The host name of a Host header, without port or IPv6 brackets."""
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0]
    return host_header.rpartition(":")[0] if host_header.count(":") == 1 else host_header


class AnyPortAllowedHostsMiddleware(AllowedHostsMiddleware):
    """Litestar's allowed-hosts check, comparing the host name without its port."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass requests for an allowed host on; answer 400 to the rest."""
        pattern = self.allowed_hosts_regex
        host = MutableScopeHeaders(scope=scope).get("host") or ""
        if pattern is None or pattern.fullmatch(host) or pattern.fullmatch(host_name(host)):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "invalid host header"})
            return
        response = ASGIResponse(body=b'{"detail":"invalid host header"}', status_code=HTTP_400_BAD_REQUEST)
        await response(scope, receive, send)

"""Small network checks shared by everything that listens on a port."""

import socket

from app.errors import HeadwaterError


class PortInUseError(HeadwaterError):
    """A port Headwater must listen on is taken."""


def ensure_port_free(
    host: str,
    port: int,
    *,
    what: str = "the embedded Kafka broker",
    setting: str = "HEADWATER_EMBEDDED_KAFKA_PORT",
) -> None:
    """Fail with a clear message if something already listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            hint = f"Set {setting} to a free port"
            if setting == "HEADWATER_EMBEDDED_KAFKA_PORT":
                hint += ", or point HEADWATER_KAFKA_BOOTSTRAP_SERVERS at a running Kafka"
            raise PortInUseError(
                f"Cannot start {what}: {host}:{port} is already in use ({exc.strerror}). {hint}."
            ) from exc

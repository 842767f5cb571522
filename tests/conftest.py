"""Fixtures shared by every suite: the corpus and one real embedded Kafka broker per test session."""

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.kafka.embedded import embedded_broker

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared real-world PDF corpus (../shared/corpus beside the repository)."""
    if not CORPUS.is_dir():
        pytest.skip(f"PDF corpus not found at {CORPUS}; clone with shared/ beside the repository")
    return CORPUS


@pytest.fixture(scope="session")
async def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The real embedded broker (Tansu), started once for the whole session."""
    log_file = tmp_path_factory.mktemp("broker") / "broker.log"
    async with embedded_broker("127.0.0.1", free_port(), log_file) as address:
        yield address

"""Settings, read once from `HEADWATER_*` environment variables and passed explicitly everywhere."""

import os
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Everything configurable about one Headwater process. Frozen: build a new one to change it."""

    model_config = SettingsConfigDict(env_prefix="HEADWATER_", frozen=True, extra="ignore")

    kafka_bootstrap_servers: str | None = Field(
        default=None, description="Kafka bootstrap servers; unset starts the embedded broker."
    )
    embedded_kafka_host: str = "127.0.0.1"
    embedded_kafka_port: int = Field(default=9092, ge=1, le=65535)
    topic_namespace: str = Field(default="headwater", pattern=r"^[A-Za-z0-9._-]{1,100}$")
    topic_partitions: int = Field(default=4, ge=1, le=256)

    data_dir: Path = Path("data")
    database_url: str = Field(
        default="", description="SQLAlchemy async URL; empty means a SQLite file in the data dir."
    )

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)

    extract_workers: int = Field(default_factory=_default_workers, ge=1, le=64)
    extract_timeout_seconds: float = Field(default=600.0, gt=0)
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    max_pages: int = Field(default=5000, gt=0)
    fetch_timeout_seconds: float = Field(default=30.0, gt=0)

    log_level: str = "INFO"
    log_json: bool = False

    @model_validator(mode="after")
    def _default_database_in_data_dir(self) -> Self:
        if not self.database_url:
            url = f"sqlite+aiosqlite:///{(self.data_dir / 'headwater.db').resolve()}"
            object.__setattr__(self, "database_url", url)  # frozen: set once, while validating
        return self

    @property
    def blob_dir(self) -> Path:
        """Where the content-addressed blob store keeps its files."""
        return self.data_dir / "blobs"

    @property
    def uses_embedded_broker(self) -> bool:
        """True when Headwater must start its own Kafka-compatible broker."""
        return not self.kafka_bootstrap_servers

    @property
    def embedded_kafka_address(self) -> str:
        """host:port of the embedded broker."""
        return f"{self.embedded_kafka_host}:{self.embedded_kafka_port}"

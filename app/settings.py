"""Settings, read once from `HEADWATER_*` environment variables and passed explicitly everywhere."""

import os
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.security.secrets import LOOPBACK_HOSTS, weakness

EMBEDDED_SESSION_TIMEOUT_MS = 4000
"""Tansu answers a group join after half the session timeout: 4 s makes a join take 2 s, not 5 s."""
KAFKA_SESSION_TIMEOUT_MS = 10_000
"""aiokafka's default; Kafka brokers refuse less than `group.min.session.timeout.ms` (6 s)."""


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
    kafka_session_timeout_ms: int | None = Field(
        default=None,
        ge=1000,
        le=300_000,
        description=(
            "Consumer-group session timeout; unset means 4000 ms on the embedded broker (which "
            "completes a group join after half of it) and 10000 ms on Kafka (whose brokers refuse "
            "less than 6000 ms by default)."
        ),
    )

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
    schedule_tick_seconds: float = Field(
        default=5.0, gt=0, le=60, description="How often each worker process looks for due schedules."
    )
    schedule_grace_hours: float = Field(
        default=24.0, gt=0, description="A fire missed for longer than this is skipped, not run late."
    )

    train_after_new_documents: int = Field(
        default=0, ge=0, description="Retrain active document models after this many new documents; 0: off."
    )
    train_after_new_records: int = Field(
        default=0, ge=0, description="Retrain a dataset's active anomaly model after this many new records."
    )
    train_auto_activate: bool = Field(
        default=False, description="Activate models trained automatically (else they wait for an admin)."
    )

    log_level: str = "INFO"
    log_json: bool = False

    secret_key: SecretStr | None = Field(
        default=None, description="Signs CSRF tokens; unset on loopback: generated once into the data dir."
    )
    dev_mode: bool = Field(default=False, description="Allow a weak or missing secret key off loopback.")
    admin_password: SecretStr | None = Field(
        default=None, description="Password of the `admin` user created at first start; unset: random."
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: sorted(LOOPBACK_HOSTS),
        description="Host names the web app answers (any port); comma-separated in the environment.",
    )
    session_cookie_secure: bool | None = Field(
        default=None, description="Secure session cookie; unset: only when the request came over HTTPS."
    )
    session_max_age_hours: float = Field(default=12.0, gt=0, le=24 * 90)
    login_attempts_per_minute: int = Field(default=10, ge=1)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Self:
        problem = weakness(self.secret_key.get_secret_value()) if self.secret_key else None
        if problem and not self.dev_mode:
            raise ValueError(f"HEADWATER_SECRET_KEY is too weak: {problem} (HEADWATER_DEV_MODE allows it)")
        return self

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
    def consumer_session_timeout_ms(self) -> int:
        """The session timeout every consumer group of this process uses (see the field)."""
        if self.kafka_session_timeout_ms is not None:
            return self.kafka_session_timeout_ms
        return EMBEDDED_SESSION_TIMEOUT_MS if self.uses_embedded_broker else KAFKA_SESSION_TIMEOUT_MS

    @property
    def embedded_kafka_address(self) -> str:
        """host:port of the embedded broker."""
        return f"{self.embedded_kafka_host}:{self.embedded_kafka_port}"

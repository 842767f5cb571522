"""docker-compose.yml cannot run here (no Docker engine), so it is kept correct by reading it in a test."""

from pathlib import Path

import yaml

from app.settings import Settings
from headwater.cli import main as cli
from headwater.commands import ALL_STAGES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
HEADWATER_SERVICES = {
    name: service
    for name, service in COMPOSE["services"].items()
    if service.get("image") == "headwater:latest"
}


def test_compose_runs_kafka_postgres_web_and_one_service_per_stage() -> None:
    assert {"kafka", "postgres"} <= COMPOSE["services"].keys()
    commands = [tuple(service["command"]) for service in HEADWATER_SERVICES.values()]
    assert ("web",) in commands
    assert {("worker", "--stage", stage) for stage in ALL_STAGES} <= set(commands)


def test_every_compose_command_is_a_real_cli_command() -> None:
    for service in HEADWATER_SERVICES.values():
        assert service["command"][0] in cli.commands  # type: ignore[attr-defined]


def test_every_headwater_variable_in_compose_is_a_real_setting() -> None:
    fields = {f"HEADWATER_{name.upper()}" for name in Settings.model_fields}
    for service in HEADWATER_SERVICES.values():
        assert set(service["environment"]) <= fields, set(service["environment"]) - fields


def test_compose_points_headwater_at_kafka_and_postgres_not_the_embedded_broker() -> None:
    for service in HEADWATER_SERVICES.values():
        env = service["environment"]
        assert env["HEADWATER_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["HEADWATER_DATABASE_URL"].startswith("postgresql+asyncpg://")
        Settings(**{k.removeprefix("HEADWATER_").lower(): v for k, v in env.items()})


def test_the_image_contains_every_package_the_project_installs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("app", "consumers", "producers", "web", "schemas", "headwater"):
        assert f"COPY {package} {package}" in dockerfile

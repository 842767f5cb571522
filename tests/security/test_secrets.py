"""The secret key: weak ones refused outside dev mode, and a laptop needs no configuration."""

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from app.security.secrets import InsecureConfigurationError, resolve_secret_key, weakness
from app.settings import Settings
from headwater.cli import main as cli


@pytest.mark.parametrize("key", ["changeme", "secret", "short-but-random-x9", "a" * 64, "abab" * 16])
def test_weak_secret_refused_outside_dev_mode(key: str) -> None:
    with pytest.raises(ValidationError, match="HEADWATER_SECRET_KEY is too weak"):
        Settings(secret_key=key)


def test_a_weak_secret_is_allowed_in_dev_mode() -> None:
    settings = Settings(secret_key="changeme", dev_mode=True)

    assert settings.secret_key is not None and settings.secret_key.get_secret_value() == "changeme"


def test_a_strong_secret_is_accepted_and_never_printed() -> None:
    key = "Zq3v-8YkT1mWc9pR2sLx7nFh4dJb6gEa0uKo5iQy"

    settings = Settings(secret_key=key)

    assert weakness(key) is None
    assert key not in repr(settings) and key not in str(settings.model_dump())


def test_missing_secret_off_loopback_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InsecureConfigurationError, match="HEADWATER_SECRET_KEY is not set"):
        resolve_secret_key(None, http_host="0.0.0.0", data_dir=tmp_path, dev_mode=False)

    assert not (tmp_path / "secret_key").exists()


def test_on_loopback_a_strong_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = resolve_secret_key(None, http_host="127.0.0.1", data_dir=tmp_path, dev_mode=False)
    second = resolve_secret_key(None, http_host="localhost", data_dir=tmp_path, dev_mode=False)

    assert first == second and weakness(first) is None
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_headwater_run_refuses_to_listen_publicly_without_a_secret(tmp_path: Path) -> None:
    env = {"HEADWATER_HTTP_HOST": "0.0.0.0", "HEADWATER_DATA_DIR": str(tmp_path), "HEADWATER_SECRET_KEY": ""}

    result = CliRunner().invoke(cli, ["run"], env=env)

    assert result.exit_code == 1
    assert "HEADWATER_SECRET_KEY is not set" in result.output
    assert "0.0.0.0" in result.output


def test_allowed_hosts_come_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_ALLOWED_HOSTS", "headwater.example.com, *.internal.example")

    assert Settings().allowed_hosts == ["headwater.example.com", "*.internal.example"]


def test_by_default_only_loopback_names_are_allowed() -> None:
    assert Settings().allowed_hosts == ["127.0.0.1", "::1", "localhost"]

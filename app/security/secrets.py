"""The secret key: refuse weak ones, and on a laptop generate a strong one once into the data dir."""

import ipaddress
import os
import secrets
from pathlib import Path

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MIN_SECRET_CHARS = 32
MIN_DISTINCT_CHARS = 10
KEY_FILE_NAME = "secret_key"
_KNOWN_WEAK = {"changeme", "secret", "password", "development", "dev", "headwater", "insecure", "test"}


class InsecureConfigurationError(RuntimeError):
    """The settings would run the web app without a strong secret where others can reach it."""


def weakness(key: str) -> str | None:
    """Why `key` is too weak to sign anything, or None if it is strong enough."""
    if key.strip().lower() in _KNOWN_WEAK:
        return "a well-known default"
    if len(key) < MIN_SECRET_CHARS:
        return f"shorter than {MIN_SECRET_CHARS} characters"
    if len(set(key)) < MIN_DISTINCT_CHARS:
        return f"fewer than {MIN_DISTINCT_CHARS} distinct characters"
    return None


def is_loopback(host: str) -> bool:
    """True if a server bound to `host` is reachable from this machine only."""
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_secret_key(configured: str | None, *, http_host: str, data_dir: Path, dev_mode: bool) -> str:
    """The secret key to use: the configured one, else one kept in the data dir (loopback or dev only)."""
    if configured:
        return configured
    if not (is_loopback(http_host) or dev_mode):
        raise InsecureConfigurationError(
            f"HEADWATER_SECRET_KEY is not set and the web app would listen on {http_host}, which other "
            "machines can reach. Set HEADWATER_SECRET_KEY to a random string of at least "
            f"{MIN_SECRET_CHARS} characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`, "
            "or HEADWATER_DEV_MODE=true for a throwaway setup."
        )
    return load_or_create_key(data_dir / KEY_FILE_NAME)


def load_or_create_key(path: Path) -> str:
    """The key stored at `path`, creating it (mode 0600, never overwritten) on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        # O_EXCL: two processes starting at once cannot both write; the loser reads the winner's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        stored = path.read_text(encoding="utf-8").strip()
        if weakness(stored):
            message = f"{path} holds a weak secret key; delete it and a new one is made"
            raise InsecureConfigurationError(message) from None
        return stored
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key

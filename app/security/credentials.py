"""Credential secrets: random, shown once, stored only as their sha256 (a fast, exact lookup key).

Argon2 is for passwords, which people choose; these secrets have 256 random bits, so a plain hash
is as strong and lets every request find its credential by index.
"""

import hashlib
import secrets

TOKEN_PREFIX = "hw_"  # noqa: S105 (a prefix, not a secret)
SESSION_PREFIX = "hws_"
SECRET_BYTES = 32
DISPLAY_CHARS = 10


def new_secret(prefix: str) -> str:
    """A new secret: `prefix` and 32 random bytes, URL-safe base64."""
    return prefix + secrets.token_urlsafe(SECRET_BYTES)


def secret_hash(secret: str) -> str:
    """The sha256 hex digest under which a secret is stored."""
    return hashlib.sha256(secret.encode("utf-8", errors="surrogatepass")).hexdigest()


def display_prefix(secret: str) -> str:
    """The first characters of a secret, enough for a person to recognise it in a list."""
    return secret[:DISPLAY_CHARS]

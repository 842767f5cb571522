"""Password hashing with argon2id (argon2-cffi's RFC 9106 defaults), off the event loop."""

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this when the user does not exist makes "no such user" cost as long as
# "wrong password", so response times do not reveal which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    """An argon2id hash of `password` (takes tens of milliseconds, in a thread)."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches the hash; None (no such user) costs the same and is False."""
    return await asyncio.to_thread(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def random_password() -> str:
    """A random password for a generated account (about 128 bits)."""
    return secrets.token_urlsafe(16)

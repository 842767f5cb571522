"""Credentials in use: log in with a password, issue API tokens, and authenticate a secret."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.security.accounts import find_user
from app.security.credentials import SESSION_PREFIX, TOKEN_PREFIX, display_prefix, new_secret, secret_hash
from app.security.passwords import verify_password
from app.security.principal import Principal
from app.storage.tokens import (
    CredentialKind,
    CredentialRow,
    add_credential,
    find_credential,
    revoke_credential,
    touch_credential,
)
from app.storage.users import UserRow, get_user_by_name
from schemas.auth import Role

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""`last_used_at` is written at most this often per credential: a busy client costs no write per request."""
MAX_SECRET_CHARS = 200


@dataclass(frozen=True, slots=True)
class Issued:
    """A new credential and its secret, which exists nowhere else: show it once."""

    secret: str
    credential: CredentialRow
    user_name: str
    role: Role

    @property
    def principal(self) -> Principal:
        """The caller this credential authenticates."""
        kind = self.credential.kind
        return Principal(
            user_id=self.credential.user_id,
            name=self.user_name,
            role=self.role,
            credential_id=self.credential.id,
            via="token" if kind is CredentialKind.TOKEN else "session",
            token_label=self.credential.label if kind is CredentialKind.TOKEN else None,
        )


async def log_in(
    sessions: async_sessionmaker[AsyncSession], name: str, password: str, max_age: timedelta
) -> Issued | None:
    """Check a password and open a browser session; None if the name or password is wrong."""
    async with sessions() as session:
        user = await get_user_by_name(session, name)
    password_hash = user.password_hash if user is not None and user.active else None
    if not await verify_password(password_hash, password) or user is None:
        return None
    return await _issue(sessions, user, CredentialKind.SESSION, "browser", max_age)


async def issue_token(
    sessions: async_sessionmaker[AsyncSession], user_name: str, label: str, expires_in: timedelta | None
) -> Issued:
    """A new API token acting as `user_name` (NotFoundError if no such user)."""
    user = await find_user(sessions, user_name)
    return await _issue(sessions, user, CredentialKind.TOKEN, label, expires_in)


async def authenticate(
    sessions: async_sessionmaker[AsyncSession], secret: str, kind: CredentialKind
) -> Principal | None:
    """The caller a token or session secret stands for; None if unknown, revoked, expired or inactive."""
    if not secret or len(secret) > MAX_SECRET_CHARS:
        return None
    now = datetime.now(UTC)
    async with sessions() as session:
        found = await find_credential(session, secret_hash(secret), kind)
        if found is None:
            return None
        credential, user = found
        expired = credential.expires_at is not None and credential.expires_at <= now
        if credential.revoked_at is not None or expired or not user.active:
            return None
        last_used = credential.last_used_at
        if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
            await touch_credential(session, credential.id, now)
            await session.commit()
    return Principal(
        user_id=user.id,
        name=user.name,
        role=user.role,
        credential_id=credential.id,
        via="token" if kind is CredentialKind.TOKEN else "session",
        token_label=credential.label if kind is CredentialKind.TOKEN else None,
    )


async def revoke(sessions: async_sessionmaker[AsyncSession], credential_id: UUID) -> bool:
    """Revoke a token or end a session; False if there is no such credential."""
    async with sessions.begin() as session:
        return await revoke_credential(session, credential_id, datetime.now(UTC))


async def _issue(
    sessions: async_sessionmaker[AsyncSession],
    user: UserRow,
    kind: CredentialKind,
    label: str,
    lifetime: timedelta | None,
) -> Issued:
    secret = new_secret(TOKEN_PREFIX if kind is CredentialKind.TOKEN else SESSION_PREFIX)
    async with sessions.begin() as session:
        row = await add_credential(
            session,
            user_id=user.id,
            kind=kind,
            secret_sha256=secret_hash(secret),
            label=label,
            prefix=display_prefix(secret),
            expires_at=None if lifetime is None else datetime.now(UTC) + lifetime,
        )
    return Issued(secret=secret, credential=row, user_name=user.name, role=user.role)

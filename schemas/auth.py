"""API bodies of users, roles, API tokens and the audit log."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from schemas.base import Message

UserName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
"""A login name: letters, digits, `.`, `_`, `-`; at most 64 characters, never starting with a symbol."""
Password = Annotated[str, StringConstraints(min_length=12, max_length=1024)]
"""A password: long enough to resist guessing, short enough that hashing it costs nothing extra."""
TokenLabel = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Role(StrEnum):
    """What a user may do; each role includes everything the roles before it may do."""

    VIEWER = "viewer"
    """Read documents, dead letters and progress."""
    OPERATOR = "operator"
    """Also start and stop runs, upload, retry dead letters."""
    ADMIN = "admin"
    """Also manage sources, schedules, users, tokens and models."""

    @property
    def rank(self) -> int:
        """0 for viewer, 1 for operator, 2 for admin."""
        return list(Role).index(self)

    def includes(self, other: "Role") -> bool:
        """True if this role may do everything `other` may."""
        return self.rank >= other.rank


class UserRead(Message):
    """A user account (never its password hash)."""

    id: UUID
    name: str
    role: Role
    active: bool = Field(description="Inactive users cannot log in, and their tokens stop working.")
    created_at: datetime


class UserCreate(Message):
    """A new user account."""

    name: UserName
    role: Role
    password: Password


class UserUpdate(Message):
    """Changes to a user account; omitted fields stay as they are."""

    role: Role | None = None
    active: bool | None = None
    password: Password | None = None


class UserPage(Message):
    """Every user account, by name."""

    items: list[UserRead]


class TokenCreate(Message):
    """A new API token for a user; it carries that user's role."""

    user: UserName = Field(description="The name of the user the token acts as.")
    label: TokenLabel = "api"
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, description="Unset: never expires.")


class TokenRead(Message):
    """An API token as listed: never its secret."""

    id: UUID
    user: str
    label: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """A newly created token, with its secret: shown this once, stored only as a hash."""

    token: str = Field(description="Send as `Authorization: Bearer <token>`.")


class TokenPage(Message):
    """API tokens, newest first."""

    items: list[TokenRead]


class WhoAmI(Message):
    """The caller as the API sees it."""

    name: str
    role: Role
    via: str = Field(examples=["token", "session"])
    token_label: str | None
    csrf_token: str | None = Field(
        description="Send as `X-CSRF-Token` on state-changing requests made with the session cookie."
    )


class AuditEntry(Message):
    """One state-changing request: who, what, when, from where, and how it ended."""

    id: UUID
    occurred_at: datetime
    user_id: UUID | None
    user: str | None
    token_label: str | None
    method: str
    route: str = Field(examples=["/api/v1/users/{user_id}"])
    action: str | None = Field(description="The operation, e.g. `CreateUser`.")
    resource_id: str | None
    status_code: int
    client_ip: str | None
    user_agent: str | None
    detail: str | None


class AuditPage(Message):
    """One page of the audit log, newest first."""

    items: list[AuditEntry]
    total: int
    limit: int
    offset: int

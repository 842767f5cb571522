"""Who is making a request: a user, their role, and the credential they used."""

from dataclasses import dataclass
from uuid import UUID

from schemas.auth import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    user_id: UUID
    name: str
    role: Role
    credential_id: UUID
    via: str
    """"token" (Authorization: Bearer) or "session" (the browser's cookie)."""
    token_label: str | None = None

    def may(self, role: Role) -> bool:
        """True if this caller's role includes `role`."""
        return self.role.includes(role)

"""Base model shared by every message and API body: frozen, strict about unknown fields, versioned."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
DocId = Sha256
"""A document is identified by the sha256 of its bytes: the same bytes are the same document."""


class Message(BaseModel):
    """A frozen wire model that rejects unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Event(Message):
    """A Kafka event. `schema_version` lets consumers refuse what they cannot read."""

    schema_version: int = 1

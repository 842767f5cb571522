"""API bodies of data sources: `/api/v1/sources`, what Fetch New Data fetches from.

A source is a `folder` on the server (its new files), `http` (a list of file URLs) or `index` (a page
listing files: HTML links or one URL a line). One flat body serves every kind; fields that do not
belong to the kind are refused rather than ignored.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, HttpUrl, StringConstraints, model_validator

from schemas.base import Message

DEFAULT_PATTERN = "*.pdf"
MAX_URLS = 1000

SourceName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"),
    Field(description="Unique label, also the `source` of the documents it brings in.", examples=["scans"]),
]
FilePattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"^[^/\\\x00-\x1f]+$"),
    Field(
        description="Glob matched against file names, ignoring case (default `*.pdf`).", examples=["*.pdf"]
    ),
]
FolderPath = Annotated[
    str,
    StringConstraints(min_length=1, max_length=4096, pattern=r"^[^\x00-\x1f]+$"),
    Field(description="An absolute directory path on the server.", examples=["/srv/incoming"]),
]


class SourceKind(StrEnum):
    """Where a source's files come from."""

    FOLDER = "folder"
    HTTP = "http"
    INDEX = "index"


_FIELDS_OF_KIND: dict[SourceKind, tuple[set[str], set[str]]] = {
    # kind: (required fields, allowed optional fields)
    SourceKind.FOLDER: ({"path"}, {"pattern", "recursive"}),
    SourceKind.HTTP: ({"urls"}, set()),
    SourceKind.INDEX: ({"url"}, {"pattern"}),
}
_KIND_FIELDS = ("path", "urls", "url", "pattern", "recursive")


class SourceFields(Message):
    """A source's settings; which ones apply depends on `kind`."""

    name: SourceName
    kind: SourceKind
    enabled: bool = Field(default=True, description="Disabled sources are skipped by Fetch New Data.")
    path: FolderPath | None = None
    urls: list[HttpUrl] | None = Field(
        default=None, min_length=1, max_length=MAX_URLS, description="http: the files' URLs."
    )
    url: HttpUrl | None = Field(default=None, description="index: the URL of the page listing the files.")
    pattern: FilePattern | None = None
    recursive: bool = Field(default=False, description="folder: include files in subfolders.")

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> Self:
        required, optional = _FIELDS_OF_KIND[self.kind]
        given = {name for name in _KIND_FIELDS if getattr(self, name) not in (None, False)}
        missing = sorted(required - given)
        if missing:
            raise ValueError(f"a {self.kind} source needs `{missing[0]}`")
        foreign = sorted(given - required - optional)
        if foreign:
            raise ValueError(f"`{foreign[0]}` does not apply to a {self.kind} source")
        if self.path is not None and not self.path.startswith("/"):
            raise ValueError(f"the folder path must be absolute, not {self.path!r}")
        return self

    @property
    def file_pattern(self) -> str:
        """The pattern file names must match (folder and index sources)."""
        return self.pattern or DEFAULT_PATTERN


class SourceCreate(SourceFields):
    """A new source, e.g. `{"name": "scans", "kind": "folder", "path": "/srv/scans", "recursive": true}`."""


class SourceUpdate(Message):
    """Fields to change; the others keep their values. The kind of a source cannot change."""

    name: SourceName | None = None
    enabled: bool | None = None
    path: FolderPath | None = None
    urls: list[HttpUrl] | None = Field(default=None, min_length=1, max_length=MAX_URLS)
    url: HttpUrl | None = None
    pattern: FilePattern | None = None
    recursive: bool | None = None


class SourceRead(SourceFields):
    """A source and how its last fetch went."""

    id: UUID
    created_at: datetime
    updated_at: datetime
    last_fetched_at: datetime | None = Field(description="When Fetch New Data last looked at it.")
    last_error: str | None = Field(
        description="What went wrong at the last fetch (the source, or some of its files); null if nothing."
    )
    tracked_items: int = Field(description="Files and URLs whose fetch state is remembered.")


class SourcePage(Message):
    """Every source, by name."""

    items: list[SourceRead]

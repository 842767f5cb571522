"""Sources of Fetch New Data: viewers list them; admins add, change and remove them."""

from datetime import UTC, datetime
from uuid import UUID

import anyio
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from pydantic import ValidationError

from app.errors import InvalidRequestError, NotFoundError
from app.sources.folder import folder_problem
from app.storage.sources import (
    SourceRow,
    add_source,
    count_items,
    delete_source,
    get_source,
    list_sources,
    update_source,
)
from schemas.auth import Role
from schemas.sources import SourceCreate, SourceFields, SourceKind, SourcePage, SourceRead, SourceUpdate
from web.security.access import requires
from web.services import DbSession, Services


class SourceController(Controller):
    """List, add, change and remove the sources Fetch New Data fetches from."""

    path = "/api/v1/sources"
    tags = ["sources"]
    opt = requires(Role.VIEWER)

    @get("/", operation_id="ListSources")
    async def list_sources(self, db_session: DbSession) -> SourcePage:
        """Every source, by name, with how its last fetch went."""
        tracked = await count_items(db_session)
        return SourcePage(items=[row.read(tracked.get(row.id, 0)) for row in await list_sources(db_session)])

    @get("/{source_id:uuid}", operation_id="GetSource")
    async def get_source(self, source_id: FromPath[UUID], db_session: DbSession) -> SourceRead:
        """One source."""
        row = await found(await get_source(db_session, source_id))
        return row.read((await count_items(db_session)).get(row.id, 0))

    @post("/", operation_id="CreateSource", status_code=HTTP_201_CREATED, opt=requires(Role.ADMIN))
    async def create_source(self, data: JSONBody[SourceCreate], services: Services) -> SourceRead:
        """Add a source. An enabled folder source's folder must exist and be readable by the server."""
        await check_usable(data)
        async with services.sessions.begin() as session:
            row = await add_source(session, data, datetime.now(UTC))
            return row.read()

    @patch("/{source_id:uuid}", operation_id="UpdateSource", opt=requires(Role.ADMIN))
    async def update_source(
        self, source_id: FromPath[UUID], data: JSONBody[SourceUpdate], services: Services
    ) -> SourceRead:
        """Change some of a source's settings; pointing it elsewhere forgets what was fetched from it."""
        async with services.sessions.begin() as session:
            row = await found(await get_source(session, source_id))
            fields = merged(row, data)
            await check_usable(fields)
            await update_source(session, row, fields, datetime.now(UTC))
            return row.read((await count_items(session)).get(row.id, 0))

    @delete(
        "/{source_id:uuid}",
        operation_id="DeleteSource",
        status_code=HTTP_204_NO_CONTENT,
        opt=requires(Role.ADMIN),
    )
    async def delete_source(self, source_id: FromPath[UUID], services: Services) -> None:
        """Remove a source and its fetch state; the documents it brought in stay."""
        async with services.sessions.begin() as session:
            if not await delete_source(session, source_id):
                raise NotFoundError("source not found")


async def found(row: SourceRow | None) -> SourceRow:
    """The source, or NotFoundError."""
    if row is None:
        raise NotFoundError("source not found")
    return row


def merged(row: SourceRow, update: SourceUpdate) -> SourceFields:
    """The source's settings with the update applied, validated as a whole (400 with the reason if not)."""
    try:
        return SourceFields.model_validate({**row.fields(), **update.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        reasons = "; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors())
        raise InvalidRequestError(f"Invalid source: {reasons}") from exc


async def check_usable(fields: SourceFields) -> None:
    """InvalidRequestError (400) if an enabled folder source names a folder the server cannot read."""
    if fields.kind is SourceKind.FOLDER and fields.enabled and fields.path is not None:
        problem = await anyio.to_thread.run_sync(folder_problem, fields.path)
        if problem is not None:
            raise InvalidRequestError(problem)

"""Datasets: their schemas (admins declare them), record ingestion (JSON or CSV), paging and exports."""

import re
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.datastructures import UploadFile
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import ConflictError, NotFoundError
from app.pipeline.records_export import MEDIA_TYPES, export_records
from app.storage.records import (
    DatasetRow,
    count_records,
    get_dataset,
    list_datasets,
    list_records,
    put_dataset_schema,
)
from schemas.auth import Role
from schemas.datasets import (
    DatasetPage,
    DatasetRead,
    ExportFormat,
    RecordPage,
    RecordRead,
    RecordsAccepted,
    RecordsUpload,
)
from schemas.records import DatasetSchema
from web.security.access import requires
from web.services import DbSession, RecordSubmitting, Services

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.JSONL: "jsonl", ExportFormat.PARQUET: "parquet"}


@dataclass
class CsvForm:
    """The multipart form of a CSV upload: the file in a part named `file`."""

    file: UploadFile


class DatasetController(Controller):
    """Declare dataset schemas, ingest records, read and export them."""

    path = "/api/v1/datasets"
    tags = ["datasets"]
    opt = requires(Role.VIEWER)

    @get("/", operation_id="ListDatasets")
    async def list_datasets(self, db_session: DbSession) -> DatasetPage:
        """Every dataset, by name, with its schema and record count."""
        return DatasetPage(items=[dataset_read(row, count) for row, count in await list_datasets(db_session)])

    @get("/{name:str}", operation_id="GetDataset")
    async def get_dataset(self, name: FromPath[str], db_session: DbSession) -> DatasetRead:
        """One dataset: its schema (declared or inferred) and record count."""
        row = await find_dataset(db_session, name)
        return dataset_read(row, await count_records(db_session, row.name))

    @put("/{name:str}/schema", operation_id="PutDatasetSchema", opt=requires(Role.ADMIN))
    async def put_dataset_schema(
        self, name: FromPath[str], data: JSONBody[DatasetSchema], services: Services
    ) -> DatasetRead:
        """Declare a dataset's schema; later records are validated against it. A key cannot change
        once the dataset holds records (their keys were computed with the old one)."""
        slug = valid_name(name)
        async with services.sessions.begin() as session:
            existing = await get_dataset(session, slug)
            count = await count_records(session, slug)
            if existing is not None and count and existing.key != data.key:
                raise ConflictError("the dataset holds records: its key cannot change")
            row = await put_dataset_schema(session, slug, data)
        return dataset_read(row, count)

    @post(
        "/{name:str}/records",
        operation_id="SubmitRecords",
        status_code=HTTP_202_ACCEPTED,
        opt=requires(Role.OPERATOR),
    )
    async def submit_records(
        self, name: FromPath[str], data: JSONBody[RecordsUpload], record_intake: RecordSubmitting
    ) -> RecordsAccepted:
        """Queue JSON records for validation; bad ones become `invalid_record` dead letters."""
        return await record_intake.submit(valid_name(name), data.records, source="api")

    @post(
        "/{name:str}/records/csv",
        operation_id="UploadRecordsCsv",
        status_code=HTTP_202_ACCEPTED,
        opt=requires(Role.OPERATOR),
    )
    async def upload_records_csv(
        self, name: FromPath[str], data: MultipartBody[CsvForm], record_intake: RecordSubmitting
    ) -> RecordsAccepted:
        """Queue the rows of a CSV file (UTF-8, header first, empty cell = missing) for validation."""
        upload = data.file
        try:
            return await record_intake.submit_csv(valid_name(name), upload.file, source="api")
        finally:
            await upload.close()

    @get("/{name:str}/records", operation_id="ListRecords")
    async def list_records(
        self,
        name: FromPath[str],
        db_session: DbSession,
        anomalous: FromQuery[bool | None] = None,
        run_id: FromQuery[UUID | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> RecordPage:
        """One page of records, oldest first; `anomalous=true` for flagged ones only."""
        row = await find_dataset(db_session, name)
        rows, total = await list_records(
            db_session, row.name, limit=limit, offset=offset, anomalous=anomalous, run_id=run_id
        )
        items = [
            RecordRead(
                key=r.record_key,
                data=r.data,
                anomaly_score=r.anomaly_score,
                is_anomaly=r.is_anomaly,
                model_version=r.model_version,
                run_id=r.run_id,
                ingested_at=r.ingested_at,
            )
            for r in rows
        ]
        return RecordPage(items=items, total=total, limit=limit, offset=offset)

    @get("/{name:str}/export", operation_id="ExportRecords")
    async def export_records(
        self,
        name: FromPath[str],
        db_session: DbSession,
        services: Services,
        format: FromQuery[ExportFormat] = ExportFormat.CSV,
        anomalous: FromQuery[bool | None] = None,
    ) -> Stream:
        """Every record (or only flagged ones) as CSV, JSON lines or Parquet, streamed."""
        row = await find_dataset(db_session, name)
        filename = f"{row.name}.{_EXTENSIONS[format]}"
        return Stream(
            export_records(services.sessions, row.name, row.dataset_schema, format, anomalous=anomalous),
            media_type=MEDIA_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def valid_name(name: str) -> str:
    """The dataset name, or 400 if it is not a slug (lower-case letters, digits, `_`, `-`)."""
    if not _SLUG.fullmatch(name):
        raise ValidationException("a dataset name is 1-64 lower-case letters, digits, `_` or `-`")
    return name


async def find_dataset(session: AsyncSession, name: str) -> DatasetRow:
    """The dataset, or NotFoundError."""
    row = await get_dataset(session, name) if _SLUG.fullmatch(name) else None
    if row is None:
        raise NotFoundError("dataset not found")
    return row


def dataset_read(row: DatasetRow, record_count: int) -> DatasetRead:
    """A dataset as the API shows it."""
    schema = row.dataset_schema
    return DatasetRead(
        name=row.name,
        columns=schema.columns,
        key=schema.key,
        inferred=row.inferred,
        record_count=record_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )

"""The Datasets pages: every dataset, and one dataset's records with a chart and exports.

`static/js/dataset.js` draws the chosen numeric column over time from
`GET /api/v1/datasets/{name}/series`, anomalies highlighted. Exports are links to the API.
"""

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from app.records.series import numeric_columns, time_columns
from app.storage.records import count_records, list_datasets, list_records
from schemas.auth import Role
from schemas.datasets import ExportFormat
from web.controllers.datasets import find_dataset
from web.pages.common import page
from web.pages.query import optional_uuid
from web.security.access import requires
from web.services import DbSession

RECORDS_PER_PAGE = 50
MAX_OFFSET = 2**31 - 1
ANOMALY_FILTERS = {"": None, "yes": True, "no": False}
EXPORTS = {ExportFormat.CSV: "CSV", ExportFormat.JSONL: "JSON lines", ExportFormat.PARQUET: "Parquet"}


class DatasetPages(Controller):
    """The dataset list and one dataset's explorer."""

    path = "/datasets"
    opt = requires(Role.VIEWER)
    include_in_schema = False

    @get("/", name="datasets")
    async def datasets_page(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        """Every dataset with its columns and record count."""
        datasets = [(row, row.dataset_schema, count) for row, count in await list_datasets(db_session)]
        return page(request, "datasets/index.html", datasets=datasets)

    @get("/{name:str}", name="dataset")
    async def dataset_page(
        self,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        db_session: DbSession,
        anomalous: Annotated[str, QueryParameter(pattern="^(|yes|no)$")] = "",
        run: Annotated[str, QueryParameter(max_length=64)] = "",
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Template:
        """A dataset's schema, a chart of a numeric column, exports and a page of its records."""
        row = await find_dataset(db_session, name)
        run_id = optional_uuid(run, "run")
        schema = row.dataset_schema
        records, total = await list_records(
            db_session,
            row.name,
            limit=RECORDS_PER_PAGE,
            offset=offset,
            anomalous=ANOMALY_FILTERS[anomalous],
            run_id=run_id,
        )
        return page(
            request,
            "datasets/detail.html",
            dataset=row,
            schema=schema,
            record_count=await count_records(db_session, row.name),
            # Measurements first: a key column (an identifier) is the last thing worth charting.
            numeric=sorted(numeric_columns(schema), key=lambda column: column in (schema.key or [])),
            times=time_columns(schema),
            records=records,
            total=total,
            offset=offset,
            limit=RECORDS_PER_PAGE,
            filters={"anomalous": anomalous, "run": str(run_id) if run_id else ""},
            exports=[(fmt.value, label) for fmt, label in EXPORTS.items()],
        )

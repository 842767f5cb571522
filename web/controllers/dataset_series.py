"""A numeric column of a dataset over time, with anomaly flags, for the dataset page's chart."""

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from app.records.series import check_columns, series_points
from app.storage.record_series import newest_records
from schemas.auth import Role
from schemas.series import DatasetSeries
from web.controllers.datasets import find_dataset
from web.security.access import requires
from web.services import DbSession

MAX_POINTS = 5000


class DatasetSeriesController(Controller):
    """Chart data of a dataset."""

    path = "/api/v1/datasets"
    tags = ["datasets"]
    opt = requires(Role.VIEWER)

    @get("/{name:str}/series", operation_id="GetDatasetSeries")
    async def get_series(
        self,
        name: FromPath[str],
        db_session: DbSession,
        column: Annotated[str, QueryParameter(min_length=1, max_length=100)],
        time: Annotated[str | None, QueryParameter(min_length=1, max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_POINTS)] = 1000,
    ) -> DatasetSeries:
        """The newest `limit` records' values of a numeric `column`, oldest first, each with its
        anomaly flag. Time is the datetime column `time`, or when the record was stored."""
        dataset = await find_dataset(db_session, name)
        check_columns(dataset.dataset_schema, column, time)
        records = await newest_records(db_session, name, limit + 1)
        return DatasetSeries(
            dataset=name,
            column=column,
            time_column=time,
            points=series_points(records[:limit], column, time),
            truncated=len(records) > limit,
        )

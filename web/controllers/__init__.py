"""One Litestar `Controller` per API resource."""

from web.controllers.dataset_series import DatasetSeriesController
from web.controllers.datasets import DatasetController
from web.controllers.dead_letters import DeadLetterController
from web.controllers.documents import DocumentController
from web.controllers.health import HealthController
from web.controllers.labels import DocumentLabelController
from web.controllers.models import ModelController
from web.controllers.progress import progress_socket
from web.controllers.runs import RunController
from web.controllers.schedules import ScheduleController
from web.controllers.sources import SourceController
from web.controllers.stats import StatsController
from web.controllers.tasks import TaskController

__all__ = [
    "DatasetController",
    "DatasetSeriesController",
    "DeadLetterController",
    "DocumentController",
    "DocumentLabelController",
    "HealthController",
    "ModelController",
    "RunController",
    "ScheduleController",
    "SourceController",
    "StatsController",
    "TaskController",
    "progress_socket",
]

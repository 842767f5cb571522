"""The Tasks page: every task with its last run and schedule; operators start and stop runs from it.

The buttons call the JSON API (`static/js/actions.js`); the table body is re-rendered by
`GET /tasks/rows` (htmx) whenever a run changes, so nothing needs a page reload.
"""

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from app.runs.tasks import TASKS
from schemas.auth import Role
from schemas.runs import FINAL_RUN_STATUSES, TaskRead
from web.controllers.tasks import task_read
from web.pages.common import page
from web.security.access import requires
from web.services import DbSession, Services


class TaskPages(Controller):
    """The Tasks page and its live table body."""

    path = "/tasks"
    opt = requires(Role.VIEWER)
    include_in_schema = False

    @get("/", name="tasks")
    async def tasks_page(
        self, request: Request[Any, Any, Any], db_session: DbSession, services: Services
    ) -> Template:
        """The tasks table, and the upload zone for operators."""
        return page(
            request,
            "tasks/index.html",
            rows=await task_rows(db_session),
            max_upload_bytes=services.settings.max_upload_bytes,
        )

    @get("/rows", name="task-rows")
    async def task_rows_fragment(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        """The table body alone, for htmx to swap in when a run changes."""
        return page(request, "tasks/_rows.html", rows=await task_rows(db_session))


async def task_rows(session: DbSession) -> list[dict[str, Any]]:
    """Each task (as the API reads it) and the run a stop button would cancel, if any."""
    tasks = [await task_read(session, task) for task in TASKS.values()]
    return [{"task": task, "active_run": active_run_id(task)} for task in tasks]


def active_run_id(task: TaskRead) -> str | None:
    """The id of the task's last run if it may still be stopped (queued or running, not live)."""
    run = task.last_run
    if run is None or run.live or not task.startable or run.status in FINAL_RUN_STATUSES:
        return None
    return str(run.id)

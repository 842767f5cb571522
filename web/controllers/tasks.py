"""Tasks: the built-in jobs, each with its last run; operators start runs of them."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from app.runs.snapshot import snapshot_of
from app.runs.tasks import TASKS, TaskDefinition, get_task
from app.storage.runs import last_run_of
from schemas.auth import Role
from schemas.runs import RunSnapshot, StartRunRequest, TaskRead
from web.controllers.runs import caller
from web.security.access import requires
from web.services import DbSession, RunCommanding


class TaskController(Controller):
    """List tasks and start runs of them."""

    path = "/api/v1/tasks"
    tags = ["tasks"]
    opt = requires(Role.VIEWER)

    @get("/", operation_id="ListTasks")
    async def list_tasks(self, db_session: DbSession) -> list[TaskRead]:
        """Every task, with its last run."""
        return [await task_read(db_session, task) for task in TASKS.values()]

    @get("/{slug:str}", operation_id="GetTask")
    async def get_task(self, slug: FromPath[str], db_session: DbSession) -> TaskRead:
        """One task by its slug (e.g. `full-pipeline`), with its last run."""
        return await task_read(db_session, get_task(slug))

    @post(
        "/{slug:str}/runs",
        operation_id="StartRun",
        status_code=HTTP_202_ACCEPTED,
        opt=requires(Role.OPERATOR),
    )
    async def start_run(
        self,
        slug: FromPath[str],
        data: JSONBody[StartRunRequest],
        runs: RunCommanding,
        request: Request[Any, Any, Any],
    ) -> RunSnapshot:
        """Queue a run of the task over `documents`: "all", "failed", "run:<id>" or a list of ids."""
        return await runs.start(slug, data.documents, caller(request))


async def task_read(session: AsyncSession, task: TaskDefinition) -> TaskRead:
    """A task as the API shows it."""
    last = await last_run_of(session, task.slug)
    return TaskRead(
        slug=task.slug,
        name=task.name,
        description=task.description,
        stages=[str(stage) for stage in task.stages],
        startable=task.startable,
        schedule=None,  # schedules are the next step (see docs/ARCHITECTURE.md)
        last_run=None if last is None else snapshot_of(last),
    )

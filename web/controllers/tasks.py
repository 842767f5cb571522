"""Tasks: the built-in jobs, each with its last run; operators start runs of them."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from app.runs.snapshot import snapshot_of
from app.runs.tasks import TASKS, TaskDefinition, get_task
from app.schedules.book import schedule_of
from app.storage.runs import last_run_of
from schemas.auth import Role
from schemas.runs import RunSnapshot, StartRunRequest, TaskRead
from web.controllers.runs import caller
from web.security.access import principal_of, requires
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
        """Queue a run of the task over `documents`: "all", "failed", "run:<id>" or a list of ids.

        `train-model` (admins only) takes `model` instead: what to train and whether to activate it;
        `rescore` takes `dataset` to score that dataset's records instead of documents.
        """
        task = get_task(slug)
        principal = principal_of(request)
        if principal is None or not principal.may(task.role):
            raise PermissionDeniedException(detail=f"starting {task.name} requires the {task.role} role")
        return await runs.start(slug, data.documents, caller(request), model=data.model, dataset=data.dataset)


async def task_read(session: AsyncSession, task: TaskDefinition) -> TaskRead:
    """A task as the API shows it."""
    last = await last_run_of(session, task.slug)
    return TaskRead(
        slug=task.slug,
        name=task.name,
        description=task.description,
        stages=[str(stage) for stage in task.stages],
        startable=task.startable,
        schedule=await schedule_of(session, task.slug),
        last_run=None if last is None else snapshot_of(last),
    )

"""Schedules: when tasks run by themselves. Viewers read them; admins create, edit, pause and delete them.

Missed fires: if no worker process was running at one or more fire times, the task runs once when one
is back (standing for the latest missed fire), unless that fire is older than the grace period
(`HEADWATER_SCHEDULE_GRACE_HOURS`, default 24 h): then it is skipped and logged.
"""

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from app.schedules.book import ScheduleBook
from schemas.auth import Role
from schemas.runs import TaskSchedule
from schemas.schedules import ScheduleRequest
from web.security.access import requires
from web.services import Services


class ScheduleController(Controller):
    """List schedules; set, pause, resume and delete a task's schedule."""

    path = "/api/v1"
    tags = ["schedules"]
    opt = requires(Role.ADMIN)

    @get("/schedules", operation_id="ListSchedules", opt=requires(Role.VIEWER))
    async def list_schedules(self, services: Services) -> list[TaskSchedule]:
        """Every schedule, by task slug, with its next fire times and the cron expression in words."""
        return await ScheduleBook(services.sessions).list_all()

    @put("/tasks/{slug:str}/schedule", operation_id="PutTaskSchedule")
    async def put_task_schedule(
        self, slug: FromPath[str], data: JSONBody[ScheduleRequest], services: Services
    ) -> TaskSchedule:
        """Create or replace the task's schedule: a five-field cron expression read in an IANA time
        zone, and what each run covers (as `POST /api/v1/tasks/{slug}/runs` takes it). The next fire is
        the first after now; a fire missed while no worker ran is made up once, within the grace period.
        400 for a bad expression or zone, 409 for Live Ingestion (it runs by itself)."""
        return await ScheduleBook(services.sessions).put(slug, data)

    @delete("/tasks/{slug:str}/schedule", operation_id="DeleteTaskSchedule")
    async def delete_task_schedule(self, slug: FromPath[str], services: Services) -> None:
        """Remove the task's schedule (its past runs stay)."""
        await ScheduleBook(services.sessions).delete(slug)

    @post("/tasks/{slug:str}/schedule/pause", operation_id="PauseTaskSchedule", status_code=HTTP_200_OK)
    async def pause_task_schedule(self, slug: FromPath[str], services: Services) -> TaskSchedule:
        """Stop the schedule firing until it is resumed."""
        return await ScheduleBook(services.sessions).set_enabled(slug, False)

    @post("/tasks/{slug:str}/schedule/resume", operation_id="ResumeTaskSchedule", status_code=HTTP_200_OK)
    async def resume_task_schedule(self, slug: FromPath[str], services: Services) -> TaskSchedule:
        """Fire again from the next fire time after now (fires while paused are not made up)."""
        return await ScheduleBook(services.sessions).set_enabled(slug, True)

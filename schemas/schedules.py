"""Task schedules as admins write them: a cron expression in a time zone, plus what each run covers."""

from pydantic import Field

from schemas.runs import StartRunRequest


class ScheduleRequest(StartRunRequest):
    """`PUT /api/v1/tasks/{slug}/schedule`: when the task runs by itself, and (as `POST .../runs` takes
    it) over which documents or with which parameters."""

    cron: str = Field(
        min_length=1,
        max_length=120,
        examples=["0 4 * * *"],
        description="Five fields: minute hour day-of-month month day-of-week (e.g. `30 2 * * 1-5`).",
    )
    timezone: str = Field(
        min_length=1, max_length=64, examples=["America/Toronto"], description="An IANA time zone."
    )
    enabled: bool = Field(default=True, description="False saves the schedule paused.")

    def run_request(self) -> StartRunRequest:
        """What each scheduled run covers, as `POST /api/v1/tasks/{slug}/runs` takes it."""
        return StartRunRequest.model_validate(self.model_dump(include=set(StartRunRequest.model_fields)))

"""Models: the registry (viewers read it); admins train models and activate a version."""

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from app.errors import NotFoundError
from app.storage.models import get_model, list_models
from schemas.auth import Role
from schemas.models import ModelInfo, ModelKind, ModelPage, TrainModel
from schemas.runs import RunSnapshot
from web.controllers.runs import caller
from web.security.access import requires
from web.services import DbSession, ModelCommanding


class ModelController(Controller):
    """List, train and activate models."""

    path = "/api/v1/models"
    tags = ["models"]
    opt = requires(Role.VIEWER)

    @get("/", operation_id="ListModels")
    async def list_models(
        self,
        db_session: DbSession,
        kind: FromQuery[ModelKind | None] = None,
        in_scope: Annotated[str | None, QueryParameter(name="scope", min_length=1, max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> ModelPage:
        """Models in the registry, newest first, optionally of one kind and scope."""
        rows, total = await list_models(db_session, limit=limit, offset=offset, kind=kind, scope=in_scope)
        return ModelPage(items=[row.info() for row in rows], total=total, limit=limit, offset=offset)

    @get("/{model_id:uuid}", operation_id="GetModel")
    async def get_model(self, model_id: FromPath[UUID], db_session: DbSession) -> ModelInfo:
        """One model: version, kind, parameters, training-set size, metrics, whether it is active."""
        row = await get_model(db_session, model_id)
        if row is None:
            raise NotFoundError("model not found")
        return row.info()

    @post("/train", operation_id="TrainModel", status_code=HTTP_202_ACCEPTED, opt=requires(Role.ADMIN))
    async def train_model(
        self, data: JSONBody[TrainModel], model_commands: ModelCommanding, request: Request[Any, Any, Any]
    ) -> RunSnapshot:
        """Start a `train-model` run (the same as `POST /api/v1/tasks/train-model/runs` with `model`).

        Answers the queued run; a worker trains in a process of its own and the run completes with
        `model_id` and `model_version` (registered inactive unless `activate`), or fails with the
        reason, e.g. too few labelled documents. Follow it at `/api/v1/runs/{id}` or `/ws/progress`.
        404 for a dataset that does not exist.
        """
        return await model_commands.train(data, caller(request))

    @post(
        "/{model_id:uuid}/activate",
        operation_id="ActivateModel",
        status_code=HTTP_200_OK,
        opt=requires(Role.ADMIN),
    )
    async def activate_model(
        self, model_id: FromPath[UUID], model_commands: ModelCommanding, request: Request[Any, Any, Any]
    ) -> ModelInfo:
        """Make this version the active model of its kind and scope; scorers switch within seconds."""
        return await model_commands.activate(model_id, caller(request))

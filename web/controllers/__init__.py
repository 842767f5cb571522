"""One Litestar `Controller` per API resource."""

from web.controllers.dead_letters import DeadLetterController
from web.controllers.documents import DocumentController
from web.controllers.health import HealthController

__all__ = ["DeadLetterController", "DocumentController", "HealthController"]

"""Domain errors. Permanent errors dead-letter the input; transient ones are retried."""

from schemas.dead_letters import DeadLetterReason


class HeadwaterError(Exception):
    """Base of every error Headwater raises on purpose."""


class PermanentError(HeadwaterError):
    """The input itself is bad: retrying cannot help, so it becomes a dead letter."""

    def __init__(self, reason_code: DeadLetterReason, reason: str, doc_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason_code = reason_code
        self.reason = reason
        self.doc_id = doc_id

    def __reduce__(self) -> tuple[type["PermanentError"], tuple[DeadLetterReason, str, str | None]]:
        """Survive pickling across a process pool with every field (Exception keeps only `args`)."""
        return (type(self), (self.reason_code, self.reason, self.doc_id))

    def about(self, doc_id: str) -> "PermanentError":
        """The same error, now knowing which document it concerns."""
        return PermanentError(self.reason_code, self.reason, doc_id=doc_id)


class TransientError(HeadwaterError):
    """Something outside the input failed (a timeout, a locked database): retry later."""


class NotFoundError(HeadwaterError):
    """A requested resource does not exist."""


class ShuttingDown(HeadwaterError):
    """Work was abandoned because the process is stopping; it is redone after restart, not dead-lettered."""


class InvalidRequestError(HeadwaterError):
    """The request is well-formed but does not fit (e.g. a parameter the task does not take): 400."""


class ConflictError(HeadwaterError):
    """The request contradicts the current state (e.g. a name that is taken)."""


class RunCancelled(HeadwaterError):
    """The document's run was cancelled: its work is skipped (counted as such), neither failed nor retried."""

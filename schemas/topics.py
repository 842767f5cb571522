"""Every topic name, in one place. A namespace lets several deployments (or tests) share a cluster."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic names of one Headwater deployment."""

    namespace: str = "headwater"

    @property
    def ingest_documents(self) -> str:
        """Upstream systems, uploads and fetchers publish `DocumentSubmitted` here."""
        return f"{self.namespace}.ingest.documents"

    @property
    def documents_cleaned(self) -> str:
        """The clean stage publishes `DocumentCleaned` here."""
        return f"{self.namespace}.documents.cleaned"

    @property
    def documents_extracted(self) -> str:
        """The extract stage publishes `DocumentExtracted` here."""
        return f"{self.namespace}.documents.extracted"

    @property
    def documents_scored(self) -> str:
        """The score stage publishes `DocumentScored` here (with predictions, or none without a model)."""
        return f"{self.namespace}.documents.scored"

    @property
    def documents_stored(self) -> str:
        """The store stage publishes `DocumentStored` here, for anyone downstream."""
        return f"{self.namespace}.documents.stored"

    @property
    def dead_letters(self) -> str:
        """Every stage publishes `DeadLettered` here when it gives up on an input."""
        return f"{self.namespace}.dead-letters"

    @property
    def documents_progressed(self) -> str:
        """Every stage publishes `DocumentProgressed` here; the progress aggregator consumes it."""
        return f"{self.namespace}.documents.progressed"

    @property
    def progress(self) -> str:
        """The progress aggregator publishes `RunProgressed` here; every web process consumes it."""
        return f"{self.namespace}.progress"

    @property
    def control(self) -> str:
        """The API publishes commands (`StartRun`, `CancelRun`, `RetryRun`) here; every worker consumes it."""
        return f"{self.namespace}.control"

    @property
    def ingest_records(self) -> str:
        """Upstream systems and the API publish `RecordsSubmitted` batches here."""
        return f"{self.namespace}.ingest.records"

    @property
    def records_valid(self) -> str:
        """The validate-records stage publishes `RecordsValidated` (clean rows only) here."""
        return f"{self.namespace}.records.valid"

    @property
    def records_scored(self) -> str:
        """The score-records stage publishes `RecordsScored` here (unscored without a model)."""
        return f"{self.namespace}.records.scored"

    def group(self, stage: str) -> str:
        """The consumer group shared by every worker of one stage."""
        return f"{self.namespace}-{stage}"

    def all(self) -> tuple[str, ...]:
        """Every topic, for creating them up front."""
        return (
            self.ingest_documents,
            self.documents_cleaned,
            self.documents_extracted,
            self.documents_stored,
            self.dead_letters,
            self.documents_progressed,
            self.progress,
            self.control,
            self.documents_scored,
            self.ingest_records,
            self.records_valid,
            self.records_scored,
        )

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
    def documents_stored(self) -> str:
        """The store stage publishes `DocumentStored` here, for anyone downstream."""
        return f"{self.namespace}.documents.stored"

    @property
    def dead_letters(self) -> str:
        """Every stage publishes `DeadLettered` here when it gives up on an input."""
        return f"{self.namespace}.dead-letters"

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
        )

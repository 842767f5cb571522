"""Storage: async SQLAlchemy over SQLite or PostgreSQL, Alembic migrations, idempotent writes.

Repository functions take an `AsyncSession` and never commit: the caller owns the transaction,
so a stage can make its writes durable in one commit before acknowledging its message.
"""

from app.storage.audit import AuditRecord, AuditRow, list_audit, record_audit
from app.storage.content import get_pages, get_table, get_tables, store_extraction
from app.storage.dead_letters import list_dead_letters, record_dead_letter
from app.storage.documents import (
    get_document,
    list_documents,
    mark_document_failed,
    record_cleaned,
    record_extracted,
    register_document,
)
from app.storage.engine import create_engine, create_sessionmaker
from app.storage.migrate import migrate
from app.storage.models import ModelRow
from app.storage.predictions import DocumentLabelRow, DocumentPredictionRow
from app.storage.records import DatasetRow, RecordRow
from app.storage.run_tables import RunDocumentRow, RunRow
from app.storage.schedules import ScheduleRow
from app.storage.sources import SourceItemRow, SourceRow
from app.storage.stages import (
    get_stage,
    list_stages,
    mark_stage_done,
    mark_stage_failed,
    mark_stage_started,
)
from app.storage.tables import (
    DeadLetterRow,
    DocumentRow,
    DocumentStageRow,
    PageRow,
    StageStatus,
    TableRow,
)
from app.storage.tokens import CredentialKind, CredentialRow
from app.storage.unfinished import UnfinishedDocument, find_unfinished_documents
from app.storage.users import UserRow, count_users, get_user, get_user_by_name, list_users

__all__ = [
    "AuditRecord",
    "AuditRow",
    "CredentialKind",
    "CredentialRow",
    "DatasetRow",
    "DeadLetterRow",
    "DocumentLabelRow",
    "DocumentPredictionRow",
    "DocumentRow",
    "DocumentStageRow",
    "ModelRow",
    "PageRow",
    "RecordRow",
    "RunDocumentRow",
    "RunRow",
    "ScheduleRow",
    "SourceItemRow",
    "SourceRow",
    "StageStatus",
    "TableRow",
    "UnfinishedDocument",
    "UserRow",
    "count_users",
    "create_engine",
    "create_sessionmaker",
    "find_unfinished_documents",
    "get_document",
    "get_pages",
    "get_stage",
    "get_table",
    "get_tables",
    "get_user",
    "get_user_by_name",
    "list_audit",
    "list_dead_letters",
    "list_documents",
    "list_stages",
    "list_users",
    "mark_document_failed",
    "mark_stage_done",
    "mark_stage_failed",
    "mark_stage_started",
    "migrate",
    "record_audit",
    "record_cleaned",
    "record_dead_letter",
    "record_extracted",
    "register_document",
    "store_extraction",
]

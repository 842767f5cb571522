"""Create Headwater's topics up front, with the partition count that sets how far a stage scales out."""

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from schemas.topics import Topics

log = structlog.get_logger(__name__)


async def ensure_topics(bootstrap_servers: str, topics: Topics, partitions: int) -> None:
    """Create every topic that does not exist yet; existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in topics.all() if name not in existing]
        if not missing:
            return
        new = [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in missing]
        try:
            await admin.create_topics(new)
        except TopicAlreadyExistsError:
            log.info("topics created concurrently by another process", topics=missing)
        log.info("topics created", topics=missing, partitions=partitions)
    finally:
        await admin.close()

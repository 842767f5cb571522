"""Kafka plumbing: the embedded broker, topic creation and consumer-group readiness."""

"""The work of each stage, free of Kafka: given an event, do the durable work and return the next event."""

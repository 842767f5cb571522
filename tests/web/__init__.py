"""Web API tests: the Litestar app over real storage and an in-memory Kafka test broker."""

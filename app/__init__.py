"""Headwater's core: settings, domain functions, storage and Kafka plumbing; knows nothing of HTTP."""

"""Storage tests: run against a real SQLite file and a real PostgreSQL database."""

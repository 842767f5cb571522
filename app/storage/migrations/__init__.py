"""Alembic migrations for Headwater's database; run them with `app.storage.migrate.migrate`."""

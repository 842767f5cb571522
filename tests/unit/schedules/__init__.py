"""Schedules: cron in a time zone, and the missed-fire policy."""

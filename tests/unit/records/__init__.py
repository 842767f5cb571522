"""Unit tests of the records domain (app/records)."""

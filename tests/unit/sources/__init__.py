"""Unit tests of the data sources of Fetch New Data."""

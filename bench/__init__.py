"""Benchmarks for Headwater (run as scripts, not tests); see docs/BENCHMARKS.md."""

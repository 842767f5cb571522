"""Tasks and runs: the task registry, run state transitions, live-ingestion runs, rates and ETAs.

Pure functions where possible; `gate` is the one stateful piece (which runs are cancelled).
"""

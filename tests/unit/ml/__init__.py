"""Unit tests of the machine-learning domain (app/ml)."""

"""The model lifecycle around the pure ML in `app.ml`: training from stored data, the registry, and
the active models the scorers use (`cache`), switched without restart.
"""

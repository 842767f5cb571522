"""Entry points and the composition root: the one place that wires every layer together."""

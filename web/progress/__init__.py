"""Live progress for browsers: the hub fed by the progress topic, and its WebSocket fan-out."""

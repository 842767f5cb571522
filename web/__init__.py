"""The Litestar web app: the HTTP API over documents and dead letters. Build it with `create_app`."""

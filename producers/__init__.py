"""What puts events onto topics: uploads, the reconciler, and (later) fetchers and control commands."""

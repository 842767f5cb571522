"""Security core: password hashing, credential secrets, the secret key, and account operations.

Framework-free: the web layer turns these into authentication, guards and cookies.
"""

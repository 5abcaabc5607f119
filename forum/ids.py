"""Opaque public identifiers (DESIGN.md, Identifiers).

A sequential id in a URL or a frame would let a member count rows in places they cannot
see, so every row that is named outside the server carries 72 random bits instead.
"""

import hashlib
import secrets


def new_public_id() -> str:
    return secrets.token_urlsafe(9)


def hash_token(token: str) -> str:
    """What is stored of a secret token: its SHA-256, so a database copy cannot use it."""
    return hashlib.sha256(token.encode()).hexdigest()

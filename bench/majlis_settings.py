"""Majlis as in production (embedded default), with these changes for the benchmark.

- Flood control allows far more than 5 messages in 5 seconds: 4 senders must saturate
  the room. The check still runs on every message, as do the permission checks.
- Accounts use a fast password hasher, so 200 of them are made in seconds.
"""

from config.settings import *  # noqa: F403

MAJLIS_PACE = {**MAJLIS_PACE, "room_message": (1_000_000, 1)}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

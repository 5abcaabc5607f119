"""Originals encrypted at rest: AES-256-GCM with MAJLIS_EVIDENCE_KEY (never SECRET_KEY).

A stored original is `MAGIC`, a random 96-bit nonce of its own, then the ciphertext with
its tag. The associated data names the attachment the original was uploaded with, so a
ciphertext moved onto another original's row does not decrypt: any change to the file
(a flipped bit, a swapped file) fails the tag check, `Tampered`.

The key is 32 random bytes written in base64 (standard or URL-safe alphabet, padding
optional): `python -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"`.
A key that is set but malformed stops the server at its start-up checks (`check_key`,
registered in attachments/apps.py) and is never taken for an absent one.
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"MJEV1"
NONCE_BYTES = 12
KEY_BYTES = 32
_ASSOCIATED = b"majlis-evidence/1:"


class Tampered(Exception):
    """The stored original does not decrypt: changed, truncated, moved, or another key."""


def parse_key(text: str) -> bytes:
    """The 32 bytes of a key written in base64; ValueError for anything else."""
    text = (text or "").strip()
    standard = text.replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("MAJLIS_EVIDENCE_KEY is not base64.")
    if len(key) != KEY_BYTES:
        raise ValueError(f"MAJLIS_EVIDENCE_KEY must be {KEY_BYTES} bytes in base64; it is {len(key)}.")
    return key


def configured() -> bool:
    """Is a key set? (A malformed one counts as set: using it raises, never skips.)"""
    return bool((settings.MAJLIS_EVIDENCE_KEY or "").strip())


def _cipher() -> AESGCM:
    try:
        return AESGCM(parse_key(settings.MAJLIS_EVIDENCE_KEY))
    except ValueError as error:
        raise ImproperlyConfigured(str(error))


def _associated(attachment_id: str) -> bytes:
    return _ASSOCIATED + attachment_id.encode("ascii")


def encrypt(data: bytes, *, attachment_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + _cipher().encrypt(nonce, data, _associated(attachment_id))


def decrypt(blob: bytes, *, attachment_id: str) -> bytes:
    """The original's bytes, or Tampered."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
        raise Tampered
    nonce = blob[len(MAGIC):len(MAGIC) + NONCE_BYTES]
    try:
        return _cipher().decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES:], _associated(attachment_id))
    except InvalidTag:
        raise Tampered


def check_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Start-up check: a key that is set must be 32 bytes of base64."""
    if not configured():
        return []
    try:
        parse_key(settings.MAJLIS_EVIDENCE_KEY)
    except ValueError as error:
        return [checks.Error(
            str(error), id="majlis.E001",
            hint="Make one with: python -c \"import base64, secrets; "
                 "print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())\"",
        )]
    return []

"""Where attachments live on disk: MAJLIS_MEDIA_ROOT, outside the static files, under
random names (`secrets`), never the uploader's. Files are written whole (a temporary
name, then a rename), so a reader never sees half a file.

In production the files are sent by the proxy (`X-Accel-Redirect` to an internal
location aliased to this root; README, "Attachments behind nginx").
"""

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

_TEMPORARY = ".part"


def root() -> Path:
    return Path(settings.MAJLIS_MEDIA_ROOT)


def new_name(extension: str) -> str:
    """A fresh random relative path, `ab/<32 random characters>.<extension>`: the first two
    characters as a folder keep each folder small."""
    token = secrets.token_urlsafe(24)
    return f"{token[:2].lower()}/{token}.{extension}"


def path_of(name: str) -> Path:
    """The absolute path of a stored name; refuses any name that would leave the root."""
    base = root().resolve()
    path = (base / name).resolve()
    if base not in path.parents:
        raise ValueError("a stored name leaves the media root")
    return path


def write(data: bytes, extension: str) -> str:
    """Store bytes under a new random name; return the name."""
    name = new_name(extension)
    path = path_of(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    partial = path.with_name(path.name + _TEMPORARY)
    with open(partial, "xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(partial, 0o640)
    os.replace(partial, path)
    return name


def delete(*names: str) -> None:
    """Remove stored files (missing ones are fine: this may run twice)."""
    for name in names:
        if name:
            path_of(name).unlink(missing_ok=True)


def stored_names(older_than_seconds: float) -> Iterator[str]:
    """Every stored file (and leftover partial one) not changed for that long, by name."""
    base = root()
    if not base.is_dir():
        return
    limit = time.time() - older_than_seconds
    for folder in base.iterdir():
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.is_file() and entry.stat().st_mtime < limit:
                yield f"{folder.name}/{entry.name}"

"""Where attachments live on disk: MAJLIS_MEDIA_ROOT, outside the static files, under
random names (`secrets`), never the uploader's. Files are written whole (a temporary
name, then a rename), so a reader never sees half a file.

In production the files are sent by the proxy (`X-Accel-Redirect` to an internal
location aliased to this root; README, "Attachments behind nginx"). The evidence locker
keeps its encrypted originals the same way under a root of its own (`base`), which
nothing serves (attachments/evidence/).
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


def evidence_root() -> Path:
    return Path(settings.MAJLIS_EVIDENCE_ROOT)


def new_name(extension: str) -> str:
    """A fresh random relative path, `ab/<32 random characters>.<extension>`: the first two
    characters as a folder keep each folder small."""
    token = secrets.token_urlsafe(24)
    return f"{token[:2].lower()}/{token}.{extension}"


def path_of(name: str, base: Path | None = None) -> Path:
    """The absolute path of a stored name; refuses any name that would leave the root."""
    base = (base or root()).resolve()
    path = (base / name).resolve()
    if base not in path.parents:
        raise ValueError("a stored name leaves the media root")
    return path


def write(data: bytes, extension: str, base: Path | None = None) -> str:
    """Store bytes under a new random name; return the name."""
    name = new_name(extension)
    path = path_of(name, base)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    partial = path.with_name(path.name + _TEMPORARY)
    with open(partial, "xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(partial, 0o640)
    os.replace(partial, path)
    return name


def delete(*names: str, base: Path | None = None) -> None:
    """Remove stored files (missing ones are fine: this may run twice)."""
    for name in names:
        if name:
            path_of(name, base).unlink(missing_ok=True)


def stored_names(older_than_seconds: float, base: Path | None = None) -> Iterator[str]:
    """Every stored file (and leftover partial one) not changed for that long, by name."""
    base = base or root()
    if not base.is_dir():
        return
    limit = time.time() - older_than_seconds
    for folder in base.iterdir():
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.is_file() and entry.stat().st_mtime < limit:
                yield f"{folder.name}/{entry.name}"
